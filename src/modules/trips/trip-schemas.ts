import { type Static, Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.js'
import { Nullable, Timestamp } from '../../platform/http/schemas.js'
import { canonicalTimeZone, localIso } from '../../shared/time.js'
import { type CancellationPolicy, MAX_CAPACITY, seatsAvailable, type Trip } from './trip.js'

export const MoneySchema = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'Integer minor units (cents)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  },
  { title: 'Money', additionalProperties: false },
)

const Policy = Type.Object(
  {
    tiers: Type.Array(
      Type.Object(
        {
          hours_before: Type.Integer({ minimum: 0, maximum: 24 * 365 }),
          refund_percent: Type.Integer({ minimum: 0, maximum: 100 }),
        },
        { additionalProperties: false },
      ),
      {
        maxItems: 6,
        description: 'From the earliest cancellation to the latest; none applies after the last',
      },
    ),
  },
  { additionalProperties: false },
)

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Description = Type.String({ maxLength: 10_000 })
const Location = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. Europe/Lisbon',
})
const Capacity = Type.Integer({ minimum: 1, maximum: MAX_CAPACITY })

export const CreateTripBody = Type.Object(
  {
    title: Title,
    description: Description,
    location: Location,
    starts_at: Timestamp,
    ends_at: Timestamp,
    timezone: TimeZone,
    price: MoneySchema,
    capacity: Capacity,
    cancellation_policy: Type.Optional(Policy),
  },
  { title: 'CreateTripRequest', additionalProperties: false },
)

export const UpdateTripBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    location: Type.Optional(Location),
    starts_at: Type.Optional(Timestamp),
    ends_at: Type.Optional(Timestamp),
    timezone: Type.Optional(TimeZone),
    price: Type.Optional(MoneySchema),
    capacity: Type.Optional(Capacity),
    cancellation_policy: Type.Optional(Policy),
  },
  { title: 'UpdateTripRequest', additionalProperties: false, minProperties: 1 },
)

export const TripView = Type.Object(
  {
    id: Type.String(),
    vendor_id: Type.String(),
    product_id: Nullable(Type.String({ description: 'The product this is a departure of' })),
    title: Type.String(),
    description: Type.String(),
    location: Type.String(),
    starts_at: Timestamp,
    ends_at: Timestamp,
    timezone: Type.String(),
    starts_at_local: Type.String({
      description: 'Departure as wall-clock time in the trip time zone, with offset',
    }),
    ends_at_local: Type.String(),
    price: Type.Object({ amount: Type.Integer(), currency: Type.String() }),
    capacity: Type.Integer(),
    seats_available: Type.Integer(),
    cancellation_policy: Policy,
    status: Type.Union([Type.Literal('published'), Type.Literal('cancelled')]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Trip' },
)

export function tripView(t: Trip): Static<typeof TripView> {
  return {
    id: t.id,
    vendor_id: t.vendorId,
    product_id: t.productId,
    title: t.title,
    description: t.description,
    location: t.location,
    starts_at: t.startsAt,
    ends_at: t.endsAt,
    timezone: t.timezone,
    starts_at_local: localIso(t.startsAt, t.timezone),
    ends_at_local: localIso(t.endsAt, t.timezone),
    price: t.price,
    capacity: t.capacity,
    seats_available: seatsAvailable(t),
    cancellation_policy: {
      tiers: t.cancellationPolicy.tiers.map((x) => ({
        hours_before: x.hoursBefore,
        refund_percent: x.refundPercent,
      })),
    },
    status: t.status,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  }
}

export const policyFrom = (p: Static<typeof Policy> | undefined) =>
  p && { tiers: p.tiers.map((x) => ({ hoursBefore: x.hours_before, refundPercent: x.refund_percent })) }

/** A create or update body in the domain's words (required stays required). */
export function tripFields<B extends Partial<Static<typeof CreateTripBody>>>(
  b: B,
): {
  title: B['title']
  description: B['description']
  location: B['location']
  startsAt: B['starts_at']
  endsAt: B['ends_at']
  timezone: B['timezone']
  price: B['price']
  capacity: B['capacity']
  cancellationPolicy: CancellationPolicy | undefined
} {
  return {
    title: b.title,
    description: b.description,
    location: b.location,
    startsAt: b.starts_at,
    endsAt: b.ends_at,
    // Stored by its canonical name; a name that is no zone stays as sent, for the rules to refuse.
    timezone: (b.timezone === undefined
      ? undefined
      : (canonicalTimeZone(b.timezone) ?? b.timezone)) as B['timezone'],
    price: b.price,
    capacity: b.capacity,
    cancellationPolicy: policyFrom(b.cancellation_policy),
  }
}

export const TripIdParams = Type.Object({ id: Type.String({ pattern: '^trp_[0-9a-z]{26}$' }) })
export const VendorIdParams = Type.Object({ id: Type.String({ pattern: '^vnd_[0-9a-z]{26}$' }) })

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    min_price: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    max_price: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    product_id: Type.Optional(
      Type.String({ pattern: '^prd_[0-9a-z]{26}$', description: 'Departures of one product' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export const PageQueryOnly = Type.Object(
  {
    ...PageQuery,
  },
  { additionalProperties: false },
)
