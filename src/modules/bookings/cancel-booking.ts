import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip } from '../trips/index.js'
import { type Booking, type Canceller, cancellerFor, refundFor } from './booking.js'
import { BookingStateError } from './booking-errors.js'
import { bookingRepository } from './booking-repository.js'
import { findVisibleBooking } from './get-booking.js'
import { moveBooking } from './move-booking.js'

const notCancellable = (status: string) =>
  new BookingStateError('booking.not_cancellable', `A ${status} booking cannot be cancelled.`)

/**
 * Cancels a booking (owner, the trip's vendor, admin). The refund follows the trip's policy when the
 * traveller cancels and is full when the vendor or an admin does; seats go back at once.
 * The money itself moves with the payments capability, driven by the booking.cancelled event.
 */
export async function cancelBooking(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  input: { bookingId: string; reason?: string | null },
): Promise<Booking> {
  const now = deps.clock.now()
  const cancelled = await deps.db.transaction().execute(async (trx) => {
    const { booking, trip, relation } = await findVisibleBooking(trx, actor, input.bookingId)
    const by: Canceller = cancellerFor(relation)
    const refund = refundFor(booking, by, trip.policy, trip.startsAt, now)
    const moved = await moveBooking(trx, booking, 'cancel', now, {
      refund,
      cancelledBy: by,
      reason: input.reason,
    })
    if (!moved) {
      const current = await bookingRepository.findById(trx, booking.id)
      throw notCancellable(current?.status ?? booking.status)
    }
    return moved
  })
  await forgetTrip(deps, cancelled.tripId)
  return cancelled
}

/**
 * Cancels every live booking of a trip with a full refund, inside the trip's own cancellation
 * transaction (DELETE /trips/{id}).
 */
export async function cancelTripBookings(
  trx: Kysely<DB>,
  tripId: string,
  by: 'vendor' | 'admin',
  now: Date,
): Promise<number> {
  let count = 0
  for (const id of await bookingRepository.liveIdsOfTrip(trx, tripId)) {
    const found = await bookingRepository.findWithTrip(trx, id)
    if (!found) continue
    const refund = refundFor(found.booking, by, found.trip.policy, found.trip.startsAt, now)
    const moved = await moveBooking(trx, found.booking, 'cancel', now, {
      refund,
      cancelledBy: by,
      reason: 'The trip was cancelled',
    })
    if (moved) count++
  }
  return count
}
