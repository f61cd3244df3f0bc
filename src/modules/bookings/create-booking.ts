import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import { isUniqueViolation } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { forgetTrip, TripNotFoundError } from '../trips/index.js'
import { DEFAULT_COMMISSION_BPS } from '../vendors/index.js'
import { type Booking, holdExpiry } from './booking.js'
import { HoldLimitError, SoldOutError, TravellersOnlyError, TripNotBookableError } from './booking-errors.js'
import { bookingRepository, type Placement } from './booking-repository.js'
import { moveBooking } from './move-booking.js'

export interface CreateBookingDeps {
  db: Kysely<DB>
  clock: Clock
  cache: Cache
  holdMinutes: number
  maxHeldSeats: number
  log?: { warn(obj: object, msg: string): void }
}

/**
 * Holds seats for a traveller. The price is the trip's, the user the token's. In one transaction:
 * the traveller's row is locked (their holds are counted without a race), holds past their time are
 * expired, the seats are taken by the capacity guard, and the booking and its event are written.
 */
export async function createBooking(
  deps: CreateBookingDeps,
  actor: Actor,
  input: { tripId: string; seats: number; notes?: string | null; requestKey?: string },
): Promise<Booking> {
  if (actor.role !== 'traveler') throw new TravellersOnlyError()
  const requestKey = input.requestKey ?? null
  if (requestKey) {
    // A retry of a request that committed before its answer was stored finds its booking.
    const earlier = await bookingRepository.findByRequestKey(deps.db, actor.userId, requestKey)
    if (earlier) return earlier
  }
  const now = deps.clock.now()
  const at = now.toISOString()
  let booking: Booking
  try {
    booking = await deps.db.transaction().execute(async (trx) => {
      // The hot path is one statement (PostgreSQL) between BEGIN and COMMIT: the traveller's hold,
      // the trip's seats, the booking and its event.
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
      let taken = await bookingRepository.place(trx, placement, now)
      if (!taken) {
        const holds = await bookingRepository.pendingOfUser(trx, actor.userId)
        const held = holds.reduce((sum, h) => sum + h.seats, 0)
        if (held + input.seats > deps.maxHeldSeats) {
          // Holds past their time still count until the expiry job reaches them: expire them now, retry once.
          let freed = 0
          for (const hold of holds.filter((h) => h.hold_expires_at <= at)) {
            const overdue = await bookingRepository.findById(trx, hold.id)
            if (overdue && (await moveBooking(trx, overdue, 'expire', now, { cancelledBy: 'system' })))
              freed += hold.seats
          }
          if (held - freed + input.seats > deps.maxHeldSeats)
            throw new HoldLimitError(deps.maxHeldSeats, held - freed)
          taken = await bookingRepository.place(trx, placement, now)
        }
      }
      if (!taken) {
        const trip = await bookingRepository.tripContext(trx, input.tripId)
        if (!trip) throw new TripNotFoundError(input.tripId)
        if (trip.status !== 'published') throw new TripNotBookableError('This trip is cancelled.')
        if (trip.startsAt <= at) throw new TripNotBookableError('This trip has already left.')
        throw new SoldOutError(Math.max(0, trip.capacity - trip.seatsTaken))
      }
      const created: Booking = {
        id,
        tripId: input.tripId,
        userId: actor.userId,
        seats: input.seats,
        status: 'pending',
        unitPrice: { amount: taken.price_amount, currency: taken.price_currency },
        total: { amount: taken.price_amount * input.seats, currency: taken.price_currency },
        commissionBps: taken.commission_bps ?? DEFAULT_COMMISSION_BPS,
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
      return created
    })
  } catch (err) {
    if (requestKey && isUniqueViolation(err)) {
      const earlier = await bookingRepository.findByRequestKey(deps.db, actor.userId, requestKey)
      if (earlier) return earlier
    }
    throw err
  }
  await forgetTrip(deps, booking.tripId)
  return booking
}
