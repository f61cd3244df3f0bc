import { Type } from 'typebox'
import type { Analytics } from './get-analytics.js'

const Instant = Type.String({ format: 'date-time' })
const Minor = Type.Integer({ description: 'Integer minor units of the currency' })

export const AnalyticsQuery = Type.Object(
  {
    from: Instant,
    to: Instant,
    interval: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
      default: 'day',
    }),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  },
  { additionalProperties: false },
)

const Ranked = Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kept: Minor }))

export const AnalyticsView = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    interval: Type.String(),
    currencies: Type.Array(
      Type.Object({
        currency: Type.String(),
        bookings: Type.Object({
          made: Type.Integer(),
          by_status: Type.Record(Type.String(), Type.Integer()),
        }),
        gross_booking_value: Minor,
        captured: Minor,
        refunded: Minor,
        platform_revenue: Minor,
        vendor_share: Minor,
        payouts_paid: Minor,
        owed_to_vendors: Minor,
        occupancy: Type.Object({
          seats_sold: Type.Integer(),
          capacity: Type.Integer(),
          rate: Type.Union([Type.Number(), Type.Null()]),
        }),
        cancellation_rate: Type.Union([Type.Number(), Type.Null()]),
        top_vendors: Ranked,
        top_trips: Ranked,
        series: Type.Array(
          Type.Object({
            bucket: Type.String({ description: 'First day of the bucket, UTC (YYYY-MM-DD)' }),
            bookings: Type.Integer(),
            captured: Minor,
            refunded: Minor,
            platform_revenue: Minor,
          }),
        ),
        by_channel: Type.Array(
          Type.Object({
            channel: Type.String({ description: 'direct, or octo (resellers)' }),
            bookings: Type.Integer(),
            gross_booking_value: Minor,
            captured: Minor,
          }),
        ),
      }),
    ),
  },
  { title: 'Analytics' },
)

export const analyticsView = (a: Analytics) => ({
  from: a.from,
  to: a.to,
  interval: a.interval,
  currencies: a.currencies.map((c) => ({
    currency: c.currency,
    bookings: { made: c.bookings.made, by_status: c.bookings.byStatus },
    gross_booking_value: c.grossBookingValue,
    captured: c.captured,
    refunded: c.refunded,
    platform_revenue: c.platformRevenue,
    vendor_share: c.vendorShare,
    payouts_paid: c.payoutsPaid,
    owed_to_vendors: c.owedToVendors,
    occupancy: { seats_sold: c.occupancy.seatsSold, capacity: c.occupancy.capacity, rate: c.occupancy.rate },
    cancellation_rate: c.cancellationRate,
    top_vendors: c.topVendors,
    top_trips: c.topTrips,
    series: c.series.map((s) => ({
      bucket: s.bucket,
      bookings: s.bookings,
      captured: s.captured,
      refunded: s.refunded,
      platform_revenue: s.platformRevenue,
    })),
    by_channel: c.byChannel.map((r) => ({
      channel: r.channel,
      bookings: r.bookings,
      gross_booking_value: r.grossBookingValue,
      captured: r.captured,
    })),
  })),
})
