import type { Money } from '../../shared/money.js'
import type { ChargeInput } from './payment-gateway.js'

export type PaymentStatus = 'processing' | 'requires_action' | 'succeeded' | 'failed'

export interface Payment {
  id: string
  bookingId: string
  userId: string
  amount: Money
  status: PaymentStatus
  paymentMethod: string
  provider: string
  providerId: string | null
  clientSecret: string | null
  failure: { code: string; message: string } | null
  refunded: number
  createdAt: string
  updatedAt: string
  settledAt: string | null
}

export type RefundStatus = 'processing' | 'succeeded' | 'failed'

export interface PaymentRefund {
  id: string
  paymentId: string
  bookingId: string
  amount: Money
  status: RefundStatus
  reason: string | null
  providerId: string | null
  createdAt: string
  updatedAt: string
}

/** A payment still waiting for the provider's last word. */
export const inFlight = (p: Pick<Payment, 'status'>) =>
  p.status === 'processing' || p.status === 'requires_action'

/** Our own idempotency keys at the provider: one per payment and per refund, whoever sends them. */
export const paymentKey = (id: string) => `payment:${id}`
export const refundKey = (id: string) => `refund:${id}`

/** How long a payment in flight keeps its booking's seats (a 3-D Secure step, a slow provider). */
export const IN_FLIGHT_HOLD_MINUTES = 30

/** The charge of a payment, the same every time it is sent (so its key always matches its parameters). */
export function chargeOf(p: Payment): ChargeInput {
  return {
    key: paymentKey(p.id),
    amount: p.amount.amount,
    currency: p.amount.currency,
    paymentMethod: p.paymentMethod,
    description: `Travellr booking ${p.bookingId}`,
    metadata: { booking_id: p.bookingId, payment_id: p.id },
  }
}

/**
 * A reseller's booking is paid on account, not by card: the reseller settles its statement. Its
 * payment is recorded as succeeded with this provider, and its refunds are credits on the statement
 * (no provider call).
 */
export const RESELLER_ACCOUNT = 'reseller'
