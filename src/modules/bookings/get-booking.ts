import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { type Booking, relationTo } from './booking.js'
import { BookingNotFoundError } from './booking-errors.js'
import type { BookingReadCache } from './booking-read-cache.js'
import { bookingRepository } from './booking-repository.js'

/**
 * The first step of a change: the booking locked with its trip, and the caller's relation to it;
 * anyone unrelated gets "not found" (and the lock goes with the rolled-back transaction).
 */
export async function lockVisibleBooking(trx: Kysely<DB>, actor: Actor, id: string) {
  const found = await bookingRepository.lock(trx, id)
  const relation = found ? relationTo(actor, found.booking, found.trip.vendorUserId) : 'none'
  if (!found || relation === 'none') throw new BookingNotFoundError(id)
  return { ...found, relation }
}

/** What a booking read shows: the booking, who sells its trip, its payments and refunds. */
export interface BookingRead<P> {
  booking: Booking
  vendorUserId: string
  payments: P[]
}

/**
 * Reads a booking for whoever may see it (owner, the trip's vendor, admin), through the read cache:
 * the state is cached, the permission is decided anew on every request.
 */
export async function getBooking<P>(
  deps: {
    db: Kysely<DB>
    paymentsOf(bookingId: string): Promise<P[]>
    bookingReads: BookingReadCache<BookingRead<P>>
  },
  actor: Actor,
  id: string,
): Promise<BookingRead<P>> {
  const found = await deps.bookingReads.read(id, async () => {
    // Reading needs only the booking and who sells its trip: a slimmer query than the writes use.
    const row = await bookingRepository.findWithSeller(deps.db, id)
    return row && { ...row, payments: await deps.paymentsOf(id) }
  })
  if (!found || relationTo(actor, found.booking, found.vendorUserId) === 'none')
    throw new BookingNotFoundError(id)
  return found
}
