import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip } from '../trips/index.js'
import { type Booking, type Canceller, cancellerFor, type Refund, refundFor } from './booking.js'
import { BookingStateError } from './booking-errors.js'
import { type BookingWithTrip, bookingRepository } from './booking-repository.js'
import { lockVisibleBooking } from './get-booking.js'
import { moveBooking } from './move-booking.js'

/**
 * How a cancelled booking's money goes back, provided by payments (bookings knows no payment): the
 * refund is recorded in the cancellation's own transaction, and sent to the provider after it commits.
 */
export interface CancellationRefunds {
  /** Records the refund of this booking's payment; the id of the refund to send, if any. */
  record(trx: Kysely<DB>, booking: Booking, refund: Refund, now: Date): Promise<string | undefined>
  /** Sends recorded refunds to the provider (their own keys make a repeat harmless). */
  send(refundIds: string[]): Promise<void>
}

/**
 * Cancels a booking (owner, the trip's vendor, admin). The refund follows the trip's policy when the
 * traveller cancels and is full when the vendor or an admin does; seats go back at once, and the
 * refund of what was paid is recorded in the same transaction and sent to the provider after it.
 */
export async function cancelBooking(
  deps: {
    db: Kysely<DB>
    clock: Clock
    cache: Cache
    refunds: CancellationRefunds
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  input: { bookingId: string; reason?: string | null },
): Promise<Booking> {
  const now = deps.clock.now()
  let refundId: string | undefined
  const cancelled = await inTransaction(deps.db, async (trx) => {
    const { booking, trip, relation } = await lockVisibleBooking(trx, actor, input.bookingId)
    const done = await cancelLocked(
      trx,
      deps.refunds,
      { booking, trip },
      cancellerFor(relation),
      input.reason,
      now,
    )
    refundId = done.refundId
    return done.cancelled
  })
  if (refundId) await deps.refunds.send([refundId])
  await forgetTrip(deps, cancelled.tripId)
  return cancelled
}

/**
 * Cancels a booking locked in this transaction: the refund its canceller gets by the policy, the move
 * (seats back, event), and the refund of what was paid recorded, to be sent after the commit.
 */
export async function cancelLocked(
  trx: Kysely<DB>,
  refunds: CancellationRefunds,
  { booking, trip }: BookingWithTrip,
  by: Canceller,
  reason: string | null | undefined,
  now: Date,
): Promise<{ cancelled: Booking; refundId: string | undefined }> {
  const refund = refundFor(booking, by, trip.policy, trip.startsAt, now)
  const moved = await moveBooking(trx, booking, 'cancel', now, { refund, cancelledBy: by, reason })
  if (!moved)
    throw new BookingStateError('booking.not_cancellable', `A ${booking.status} booking cannot be cancelled.`)
  // The refund of what was paid, recorded with the cancellation; sent once it has committed.
  return { cancelled: moved, refundId: await refunds.record(trx, moved, refund, now) }
}

/**
 * Cancels every live booking of a trip with a full refund, inside the trip's own cancellation
 * transaction (DELETE /trips/{id}). The bookings are locked before the trip row is written, as every
 * booking change locks them; the trip's cancellation calls this again after writing the trip, for a
 * booking that committed in between.
 */
export async function cancelTripBookings(
  refunds: CancellationRefunds,
  trx: Kysely<DB>,
  tripId: string,
  by: 'vendor' | 'admin',
  now: Date,
): Promise<{ count: number; afterCommit(): Promise<void> }> {
  let count = 0
  const toSend: string[] = []
  for (const { booking, trip } of await bookingRepository.lockLiveOfTrip(trx, tripId)) {
    const refund = refundFor(booking, by, trip.policy, trip.startsAt, now)
    const moved = await moveBooking(trx, booking, 'cancel', now, {
      refund,
      cancelledBy: by,
      reason: 'The trip was cancelled',
    })
    if (!moved) continue
    count++
    const id = await refunds.record(trx, moved, refund, now)
    if (id) toSend.push(id)
  }
  return { count, afterCommit: () => refunds.send(toSend) }
}
