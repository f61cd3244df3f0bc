import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { vendorRepository } from '../vendors/index.js'
import type { Booking, BookingStatus } from './booking.js'
import { bookingRepository } from './booking-repository.js'

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
