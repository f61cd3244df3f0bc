import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import type { Booking } from './booking.js'
import { BookingNotFoundError, BookingStateError } from './booking-errors.js'
import { bookingRepository } from './booking-repository.js'
import { lockVisibleBooking } from './get-booking.js'
import { moveBooking } from './move-booking.js'

/** The trip's vendor or an admin marks a confirmed booking completed once the trip has ended. */
export async function completeBooking(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  bookingId: string,
): Promise<Booking> {
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const { booking, trip, relation } = await lockVisibleBooking(trx, actor, bookingId)
    if (relation === 'owner') throw new BookingNotFoundError(bookingId)
    if (trip.endsAt > now.toISOString()) {
      throw new BookingStateError(
        'booking.trip_not_ended',
        'A booking completes only after its trip has ended.',
      )
    }
    const moved = await moveBooking(trx, booking, 'complete', now)
    if (!moved)
      throw new BookingStateError(
        'booking.not_completable',
        `A ${booking.status} booking cannot be completed.`,
      )
    return moved
  })
}

/** Confirms a pending booking (called when its payment succeeds). */
export async function confirmBooking(
  deps: { db: Kysely<DB>; clock: Clock },
  bookingId: string,
): Promise<Booking> {
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const found = await bookingRepository.lock(trx, bookingId)
    if (!found) throw new BookingNotFoundError(bookingId)
    const moved = await moveBooking(trx, found.booking, 'confirm', now)
    if (!moved)
      throw new BookingStateError(
        'booking.not_pending',
        `A ${found.booking.status} booking cannot be confirmed.`,
      )
    return moved
  })
}
