import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { type Booking, relationTo } from './booking.js'
import { BookingNotFoundError } from './booking-errors.js'
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

/** Reading needs only the booking and who sells its trip: a slimmer query than the writes use. */
export async function getBooking(deps: { db: Kysely<DB> }, actor: Actor, id: string): Promise<Booking> {
  const found = await bookingRepository.findWithSeller(deps.db, id)
  if (!found || relationTo(actor, found.booking, found.vendorUserId) === 'none')
    throw new BookingNotFoundError(id)
  return found.booking
}
