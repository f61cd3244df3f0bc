import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip } from '../trips/index.js'
import { type Booking, type Canceller, cancellerFor, refundFor } from './booking.js'
import { BookingStateError } from './booking-errors.js'
import { bookingRepository } from './booking-repository.js'
import { lockVisibleBooking } from './get-booking.js'
import { moveBooking } from './move-booking.js'

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
  const cancelled = await inTransaction(deps.db, async (trx) => {
    const { booking, trip, relation } = await lockVisibleBooking(trx, actor, input.bookingId)
    const by: Canceller = cancellerFor(relation)
    const refund = refundFor(booking, by, trip.policy, trip.startsAt, now)
    const moved = await moveBooking(trx, booking, 'cancel', now, {
      refund,
      cancelledBy: by,
      reason: input.reason,
    })
    if (!moved)
      throw new BookingStateError(
        'booking.not_cancellable',
        `A ${booking.status} booking cannot be cancelled.`,
      )
    return moved
  })
  await forgetTrip(deps, cancelled.tripId)
  return cancelled
}

/**
 * Cancels every live booking of a trip with a full refund, inside the trip's own cancellation
 * transaction (DELETE /trips/{id}). The bookings are locked before the trip row is written, as every
 * booking change locks them; the trip's cancellation calls this again after writing the trip, for a
 * booking that committed in between.
 */
export async function cancelTripBookings(
  trx: Kysely<DB>,
  tripId: string,
  by: 'vendor' | 'admin',
  now: Date,
): Promise<number> {
  let count = 0
  for (const { booking, trip } of await bookingRepository.lockLiveOfTrip(trx, tripId)) {
    const refund = refundFor(booking, by, trip.policy, trip.startsAt, now)
    const moved = await moveBooking(trx, booking, 'cancel', now, {
      refund,
      cancelledBy: by,
      reason: 'The trip was cancelled',
    })
    if (moved) count++
  }
  return count
}
