import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { vendorRepository } from '../vendors/index.js'
import type { Booking, BookingStatus } from './booking.js'
import { BookingNotFoundError } from './booking-errors.js'
import { type BookingListFilter, bookingRepository } from './booking-repository.js'

/** Admin: every booking, by status, vendor, trip, traveller and time made; newest first. */
export async function listAllBookings(
  deps: { db: Kysely<DB> },
  actor: Actor,
  filter: Omit<BookingListFilter, 'limit'> & { limit: number },
): Promise<Booking[]> {
  if (actor.role !== 'admin') throw new BookingNotFoundError(actor.userId)
  return bookingRepository.list(deps.db, filter)
}

/** Travellers see their own bookings, vendors the bookings on their trips, admins all. */
export async function listBookings(
  deps: { db: Kysely<DB> },
  actor: Actor,
  filter: { status?: BookingStatus; beforeId?: string; limit: number },
): Promise<Booking[]> {
  if (actor.role === 'admin') return bookingRepository.list(deps.db, filter)
  if (actor.role === 'vendor') {
    const vendor = await vendorRepository.findByUserId(deps.db, actor.userId)
    if (vendor) return bookingRepository.list(deps.db, { ...filter, vendorId: vendor.id })
  }
  return bookingRepository.list(deps.db, { ...filter, userId: actor.userId })
}
