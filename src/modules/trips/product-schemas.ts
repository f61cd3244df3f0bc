import { type Static, Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.js'
import { Nullable, Timestamp } from '../../platform/http/schemas.js'
import { canonicalTimeZone, localIso } from '../../shared/time.js'
import type { NewProduct } from './create-product.js'
import type { ProductWithDepartures } from './get-product.js'
import { MAX_DEPARTURES, priceFrom, type Schedule } from './product.js'
import { MAX_CAPACITY, seatsAvailable } from './trip.js'
import { CreateTripBody, MoneySchema, policyFrom } from './trip-schemas.js'

const ScheduleBody = Type.Union(
  [
    Type.Object(
      {
        days_of_week: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
          minItems: 1,
          maxItems: 7,
          uniqueItems: true,
          description: 'ISO weekdays: 1 is Monday, 7 is Sunday',
        }),
        start_times: Type.Array(Type.String({ pattern: '^\\d{2}:\\d{2}$' }), {
          minItems: 1,
          maxItems: 24,
          description: 'Local start times, HH:mm',
        }),
        from: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'First local date' }),
        to: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Last local date (included)' }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        dates: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' }), {
          minItems: 1,
          maxItems: MAX_DEPARTURES,
          description: 'Local start times, YYYY-MM-DDTHH:mm',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Start times on days of the week over a date range, or a list of local start times' },
)

export const CreateProductBody = Type.Object(
  {
    title: CreateTripBody.properties.title,
    description: CreateTripBody.properties.description,
    location: CreateTripBody.properties.location,
    timezone: CreateTripBody.properties.timezone,
    duration_minutes: Type.Integer({ minimum: 1, maximum: 60 * 24 * 60 }),
    price: MoneySchema,
    capacity: Type.Integer({ minimum: 1, maximum: MAX_CAPACITY }),
    cancellation_policy: CreateTripBody.properties.cancellation_policy,
    schedule: ScheduleBody,
  },
  { title: 'CreateProductRequest', additionalProperties: false },
)

export function newProduct(b: Static<typeof CreateProductBody>): NewProduct {
  const s = b.schedule
  return {
    title: b.title,
    description: b.description,
    location: b.location,
    timezone: canonicalTimeZone(b.timezone) ?? b.timezone,
    durationMinutes: b.duration_minutes,
    price: b.price,
    capacity: b.capacity,
    cancellationPolicy: policyFrom(b.cancellation_policy),
    schedule:
      'dates' in s
        ? { kind: 'dates', starts: s.dates }
        : { kind: 'weekly', daysOfWeek: s.days_of_week, startTimes: s.start_times, from: s.from, to: s.to },
  }
}

const DepartureView = Type.Object(
  {
    trip_id: Type.String(),
    starts_at: Timestamp,
    ends_at: Timestamp,
    starts_at_local: Type.String(),
    price: Type.Object({ amount: Type.Integer(), currency: Type.String() }),
    capacity: Type.Integer(),
    seats_available: Type.Integer(),
  },
  { title: 'Departure' },
)

export const ProductView = Type.Object(
  {
    id: Type.String(),
    vendor_id: Type.String(),
    title: Type.String(),
    description: Type.String(),
    location: Type.String(),
    timezone: Type.String(),
    duration_minutes: Type.Integer(),
    schedule: Type.Object({
      kind: Type.Union([Type.Literal('weekly'), Type.Literal('dates'), Type.Literal('single')]),
      days_of_week: Type.Optional(Type.Array(Type.Integer())),
      start_times: Type.Optional(Type.Array(Type.String())),
      from: Type.Optional(Type.String()),
      to: Type.Optional(Type.String()),
      dates: Type.Optional(Type.Array(Type.String())),
    }),
    price_from: Nullable(Type.Object({ amount: Type.Integer(), currency: Type.String() })),
    departures_upcoming: Type.Integer({ description: 'Published departures that have not left' }),
    departures: Type.Array(DepartureView, { description: 'The next departures, in order' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'Product' },
)

function scheduleView(s: Schedule): Static<typeof ProductView>['schedule'] {
  if (s.kind === 'weekly')
    return { kind: s.kind, days_of_week: s.daysOfWeek, start_times: s.startTimes, from: s.from, to: s.to }
  if (s.kind === 'dates') return { kind: s.kind, dates: s.starts }
  return { kind: s.kind }
}

export function productView({
  product: p,
  departures,
  upcoming,
}: ProductWithDepartures): Static<typeof ProductView> {
  return {
    id: p.id,
    vendor_id: p.vendorId,
    title: p.title,
    description: p.description,
    location: p.location,
    timezone: p.timezone,
    duration_minutes: p.durationMinutes,
    schedule: scheduleView(p.schedule),
    price_from: priceFrom(departures),
    departures_upcoming: upcoming,
    departures: departures.map((d) => ({
      trip_id: d.tripId,
      starts_at: d.startsAt,
      ends_at: d.endsAt,
      starts_at_local: localIso(d.startsAt, d.timezone),
      price: d.price,
      capacity: d.capacity,
      seats_available: seatsAvailable(d),
    })),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  }
}

export const ProductIdParams = Type.Object({ id: Type.String({ pattern: '^prd_[0-9a-z]{26}$' }) })

export const ProductQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    vendor_id: Type.Optional(Type.String({ pattern: '^vnd_[0-9a-z]{26}$' })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    ...PageQuery,
  },
  { additionalProperties: false },
)
