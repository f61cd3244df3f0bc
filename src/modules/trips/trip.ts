import type { Actor } from '../../shared/actor.js'
import type { FieldError } from '../../shared/errors.js'
import { isKnownCurrency, type Money } from '../../shared/money.js'
import { isTimeZone } from '../../shared/time.js'

export interface PolicyTier {
  /** The refund applies when cancelled at least this many hours before departure. */
  hoursBefore: number
  refundPercent: number
}

/** Tiers from the earliest cancellation to the latest; after the last tier, no refund. */
export interface CancellationPolicy {
  tiers: PolicyTier[]
}

export const DEFAULT_POLICY: CancellationPolicy = {
  tiers: [
    { hoursBefore: 7 * 24, refundPercent: 100 },
    { hoursBefore: 48, refundPercent: 50 },
  ],
}

export type TripStatus = 'published' | 'cancelled'

export interface Trip {
  id: string
  vendorId: string
  title: string
  description: string
  location: string
  startsAt: string
  endsAt: string
  timezone: string
  price: Money
  capacity: number
  seatsTaken: number
  cancellationPolicy: CancellationPolicy
  status: TripStatus
  createdAt: string
  updatedAt: string
  /** The product it is a departure of (a trip published alone is a product of one departure). */
  productId: string | null
}

export const MAX_CAPACITY = 1000

export const seatsAvailable = (trip: Pick<Trip, 'capacity' | 'seatsTaken'>) =>
  Math.max(0, trip.capacity - trip.seatsTaken)

export interface TripFields {
  startsAt: string
  endsAt: string
  timezone: string
  price: Money
  cancellationPolicy: CancellationPolicy
}

/** The rules a schema cannot say: order of dates, departure in the future, real zone and currency, sane tiers. */
export function tripProblems(t: TripFields, now: Date, startsAtChanged = true): FieldError[] {
  const errors: FieldError[] = []
  const starts = Date.parse(t.startsAt)
  const ends = Date.parse(t.endsAt)
  if (startsAtChanged && starts <= now.getTime())
    errors.push({ field: 'starts_at', message: 'must be in the future' })
  if (ends <= starts) errors.push({ field: 'ends_at', message: 'must be after starts_at' })
  if (!isTimeZone(t.timezone)) errors.push({ field: 'timezone', message: 'is not a known IANA time zone' })
  if (!isKnownCurrency(t.price.currency))
    errors.push({ field: 'price.currency', message: 'is not an ISO 4217 currency' })
  const tiers = t.cancellationPolicy.tiers
  for (let i = 1; i < tiers.length; i++) {
    if (
      tiers[i]!.hoursBefore >= tiers[i - 1]!.hoursBefore ||
      tiers[i]!.refundPercent > tiers[i - 1]!.refundPercent
    ) {
      errors.push({
        field: 'cancellation_policy.tiers',
        message: 'must go from the earliest to the latest cancellation, with refunds never growing',
      })
      break
    }
  }
  return errors
}

export const canManageTrip = (actor: Actor, ownVendorId: string | undefined, trip: Pick<Trip, 'vendorId'>) =>
  actor.role === 'admin' || (ownVendorId !== undefined && ownVendorId === trip.vendorId)
