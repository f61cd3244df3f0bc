import { Type } from 'typebox'
import { Nullable, Timestamp } from '../../platform/http/schemas.js'
import type { Payment, PaymentRefund } from './payment.js'

const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() })

export const PayBody = Type.Object(
  {
    booking_id: Type.String({ pattern: '^bkg_[0-9a-z]{26}$' }),
    payment_method: Type.String({
      minLength: 3,
      maxLength: 255,
      pattern: '^[A-Za-z0-9_]+$',
      description:
        'A payment method id from the provider (Stripe test cards: pm_card_visa, pm_card_chargeDeclined, …)',
    }),
  },
  { title: 'PayRequest', additionalProperties: false },
)

export const BookingIdParams = Type.Object({ id: Type.String({ pattern: '^bkg_[0-9a-z]{26}$' }) })

export const InvoiceQuery = Type.Object(
  { copy: Type.Optional(Type.Union([Type.Literal('traveller'), Type.Literal('vendor')])) },
  { additionalProperties: false },
)

export const PaymentIdParams = Type.Object({ id: Type.String({ pattern: '^pay_[0-9a-z]{26}$' }) })

export const RefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        description: 'Minor units; what is left to refund if absent',
      }),
    ),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { title: 'RefundRequest', additionalProperties: false },
)

export const RefundView = Type.Object(
  {
    id: Type.String(),
    amount: Money,
    status: Type.Union([Type.Literal('processing'), Type.Literal('succeeded'), Type.Literal('failed')]),
    reason: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Refund' },
)

export const PaymentView = Type.Object(
  {
    id: Type.String(),
    booking_id: Type.String(),
    amount: Money,
    status: Type.Union([
      Type.Literal('processing'),
      Type.Literal('requires_action'),
      Type.Literal('succeeded'),
      Type.Literal('failed'),
    ]),
    payment_method: Type.String(),
    client_secret: Nullable(
      Type.String({ description: 'For 3-D Secure, while the status is requires_action' }),
    ),
    failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    refunded: Money,
    refunds: Type.Array(RefundView),
    created_at: Timestamp,
    updated_at: Timestamp,
    settled_at: Nullable(Timestamp),
  },
  { title: 'Payment' },
)

export function refundView(r: PaymentRefund) {
  return {
    id: r.id,
    amount: r.amount,
    status: r.status,
    reason: r.reason,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  }
}

export function paymentView(p: Payment, refunds: PaymentRefund[] = []) {
  return {
    id: p.id,
    booking_id: p.bookingId,
    amount: p.amount,
    status: p.status,
    payment_method: p.paymentMethod,
    client_secret: p.status === 'requires_action' ? p.clientSecret : null,
    failure: p.failure,
    refunded: { amount: p.refunded, currency: p.amount.currency },
    refunds: refunds.map(refundView),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    settled_at: p.settledAt,
  }
}
