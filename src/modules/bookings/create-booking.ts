import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import { isUniqueViolation } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { AddressLimits } from '../../platform/security/throttle.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { forgetTrip, TripNotFoundError } from '../trips/index.js'
import { DEFAULT_COMMISSION_BPS } from '../vendors/index.js'
import { type Booking, holdExpiry } from './booking.js'
import { HoldLimitError, SoldOutError, TravellersOnlyError, TripNotBookableError } from './booking-errors.js'
import { bookingRepository, type Placement } from './booking-repository.js'
import { expireBooking } from './expire-booking.js'

export interface CreateBookingDeps {
  db: Kysely<DB>
  clock: Clock
  cache: Cache
  holdMinutes: number
  maxHeldSeats: number
  addressLimits: AddressLimits
  log?: { warn(obj: object, msg: string): void }
}

/** Thrown inside the placing transaction to roll back what the other guard took. */
class HoldRefused extends Error {}

/**
 * Holds seats for a traveller. The price is the trip's, the user the token's. In one transaction the
 * trip's seats are taken by the capacity guard, the traveller's hold by the hold-limit guard, and the
 * booking and its event are written (one statement on PostgreSQL). When the hold limit refuses, holds
 * of this traveller past their time (not yet reached by the expiry job) are expired, each locked in its
 * own transaction, and the booking is tried once more.
 */
export async function createBooking(
  deps: CreateBookingDeps,
  actor: Actor,
  input: { tripId: string; seats: number; notes?: string | null; requestKey?: string; ip: string },
): Promise<Booking> {
  if (actor.role !== 'traveler') throw new TravellersOnlyError()
  if (input.seats > deps.maxHeldSeats) throw await holdLimit(deps, actor)
  await deps.addressLimits.checkHold(input.ip, input.seats)
  const requestKey = input.requestKey ?? null
  if (requestKey) {
    // A retry of a request that committed before its answer was stored finds its booking.
    const earlier = await bookingRepository.findByRequestKey(deps.db, actor.userId, requestKey)
    if (earlier) return earlier
  }
  let booking: Booking
  try {
    try {
      booking = await place(deps, actor, input, requestKey)
    } catch (err) {
      if (!(err instanceof HoldRefused)) throw err
      const now = deps.clock.now()
      const overdue = await bookingRepository.overdueHoldsOf(deps.db, actor.userId, now)
      if (overdue.length === 0) throw await holdLimit(deps, actor)
      for (const id of overdue) await expireBooking(deps.db, id, now)
      try {
        booking = await place(deps, actor, input, requestKey)
      } catch (again) {
        throw again instanceof HoldRefused ? await holdLimit(deps, actor) : again
      }
    }
  } catch (err) {
    if (requestKey && isUniqueViolation(err)) {
      const earlier = await bookingRepository.findByRequestKey(deps.db, actor.userId, requestKey)
      if (earlier) return earlier
    }
    throw err
  }
  await deps.addressLimits.recordHold(input.ip, booking.seats)
  await forgetTrip(deps, booking.tripId)
  return booking
}

async function holdLimit(deps: CreateBookingDeps, actor: Actor): Promise<HoldLimitError> {
  return new HoldLimitError(deps.maxHeldSeats, await bookingRepository.heldSeats(deps.db, actor.userId))
}

function place(
  deps: CreateBookingDeps,
  actor: Actor,
  input: { tripId: string; seats: number; notes?: string | null },
  requestKey: string | null,
): Promise<Booking> {
  const now = deps.clock.now()
  const at = now.toISOString()
  return inTransaction(deps.db, async (trx) => {
    const id = newId('bkg', now.getTime())
    const holdExpiresAt = holdExpiry(now, deps.holdMinutes)
    const notes = input.notes ?? null
    const placement: Placement = {
      id,
      tripId: input.tripId,
      userId: actor.userId,
      seats: input.seats,
      holdExpiresAt,
      notes,
      requestKey,
      defaultCommissionBps: DEFAULT_COMMISSION_BPS,
      maxHeldSeats: deps.maxHeldSeats,
      event: {
        type: 'booking.created',
        aggregateId: id,
        payload: {
          booking_id: id,
          trip_id: input.tripId,
          user_id: actor.userId,
          seats: input.seats,
          hold_expires_at: holdExpiresAt,
        },
      },
    }
    const outcome = await bookingRepository.place(trx, placement, now)
    if ('refused' in outcome) {
      if (outcome.refused === 'hold') throw new HoldRefused()
      const trip = await bookingRepository.tripContext(trx, input.tripId)
      if (!trip) throw new TripNotFoundError(input.tripId)
      if (trip.status !== 'published') throw new TripNotBookableError('This trip is cancelled.')
      if (trip.vendorStatus !== 'approved')
        throw new TripNotBookableError("This trip's vendor is not taking bookings now.")
      if (trip.startsAt <= at) throw new TripNotBookableError('This trip has already left.')
      throw new SoldOutError(Math.max(0, trip.capacity - trip.seatsTaken))
    }
    const { unitPrice, currency, commissionBps } = outcome.placed
    return {
      id,
      tripId: input.tripId,
      userId: actor.userId,
      seats: input.seats,
      status: 'pending',
      unitPrice: { amount: unitPrice, currency },
      total: { amount: unitPrice * input.seats, currency },
      commissionBps: commissionBps ?? DEFAULT_COMMISSION_BPS,
      holdExpiresAt,
      notes,
      refund: null,
      cancelledBy: null,
      cancelReason: null,
      createdAt: at,
      updatedAt: at,
      confirmedAt: null,
      closedAt: null,
    }
  })
}
