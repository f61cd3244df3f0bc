import { type Static, Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.js'
import { Nullable, Timestamp } from '../../platform/http/schemas.js'
import type { Booking } from './booking.js'

const MoneyView = Type.Object({ amount: Type.Integer(), currency: Type.String() })
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('confirmed'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
])

export const BookingView = Type.Object(
  {
    id: Type.String(),
    trip_id: Type.String(),
    user_id: Type.String(),
    seats: Type.Integer(),
    status: Status,
    unit_price: MoneyView,
    total: MoneyView,
    hold_expires_at: Nullable(Timestamp),
    notes: Nullable(Type.String()),
    refund: Nullable(
      Type.Object({
        amount: Type.Integer(),
        currency: Type.String(),
        percent: Type.Integer(),
        commission: Type.Integer({ description: 'Part of the refund taken from the platform commission' }),
        vendor_share: Type.Integer({ description: "Part of the refund taken from the vendor's share" }),
      }),
    ),
    cancelled_by: Nullable(Type.String()),
    cancel_reason: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    confirmed_at: Nullable(Timestamp),
    closed_at: Nullable(Timestamp),
    channel: Type.Union([Type.Literal('direct'), Type.Literal('octo')], {
      description: 'Sold through our API (direct) or by a reseller through OCTO',
    }),
    reseller: Nullable(
      Type.Object({
        id: Type.String(),
        reference: Nullable(Type.String({ description: "The reseller's own reference" })),
        uuid: Type.String({ description: "The reseller's booking uuid" }),
        net: MoneyView,
      }),
    ),
  },
  { title: 'Booking' },
)

/** What a booking's payments look like from the booking (provided by payments, which bookings does not know). */
export interface PaymentOfBooking {
  id: string
  status: string
  amount: { amount: number; currency: string }
  refunded: { amount: number; currency: string }
  refunds: {
    id: string
    status: string
    amount: { amount: number; currency: string }
    reason: string | null
  }[]
  created_at: string
}

export const PaymentsOfBooking = Type.Array(
  Type.Object({
    id: Type.String(),
    status: Type.String(),
    amount: MoneyView,
    refunded: MoneyView,
    refunds: Type.Array(
      Type.Object({
        id: Type.String(),
        status: Type.String(),
        amount: MoneyView,
        reason: Nullable(Type.String()),
      }),
    ),
    created_at: Timestamp,
  }),
)

export const BookingWithPaymentsView = Type.Object(
  { ...BookingView.properties, payments: PaymentsOfBooking },
  { title: 'BookingWithPayments' },
)

export function bookingView(b: Booking): Static<typeof BookingView> {
  return {
    id: b.id,
    trip_id: b.tripId,
    user_id: b.userId,
    seats: b.seats,
    status: b.status,
    unit_price: b.unitPrice,
    total: b.total,
    hold_expires_at: b.status === 'pending' ? b.holdExpiresAt : null,
    notes: b.notes,
    refund: b.refund && {
      amount: b.refund.amount,
      currency: b.total.currency,
      percent: b.refund.percent,
      commission: b.refund.commission,
      vendor_share: b.refund.vendorShare,
    },
    cancelled_by: b.cancelledBy,
    cancel_reason: b.cancelReason,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
    confirmed_at: b.confirmedAt,
    closed_at: b.closedAt,
    channel: b.channel,
    reseller: b.reseller && {
      id: b.reseller.resellerId,
      reference: b.reseller.reference,
      uuid: b.reseller.uuid,
      net: { amount: b.reseller.net, currency: b.total.currency },
    },
  }
}

const Notes = Type.String({ maxLength: 2000 })

export const CreateBookingBody = Type.Object(
  {
    trip_id: Type.String({ pattern: '^trp_[0-9a-z]{26}$' }),
    seats: Type.Integer({ minimum: 1, maximum: 100 }),
    notes: Type.Optional(Notes),
  },
  { title: 'CreateBookingRequest', additionalProperties: false },
)

export const UpdateBookingBody = Type.Object(
  { seats: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })), notes: Type.Optional(Nullable(Notes)) },
  { title: 'UpdateBookingRequest', additionalProperties: false, minProperties: 1 },
)

export const CancelBookingBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { title: 'CancelBookingRequest', additionalProperties: false },
)

export const BookingIdParams = Type.Object({ id: Type.String({ pattern: '^bkg_[0-9a-z]{26}$' }) })

export const AdminBookingQuery = Type.Object(
  {
    status: Type.Optional(Status),
    vendor_id: Type.Optional(Type.String({ pattern: '^vnd_[0-9a-z]{26}$' })),
    trip_id: Type.Optional(Type.String({ pattern: '^trp_[0-9a-z]{26}$' })),
    user_id: Type.Optional(Type.String({ pattern: '^usr_[0-9a-z]{26}$' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Made at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Made before' })),
    ...PageQuery,
  },
  { additionalProperties: false },
)

export const BookingListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    ...PageQuery,
  },
  { additionalProperties: false },
)
