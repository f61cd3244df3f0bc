import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Contact, UnitItem } from './booking.js'
import { BookingNotFoundError } from './booking-errors.js'
import { type BookingWithTrip, bookingRepository } from './booking-repository.js'

/** The reseller calling (through one access to one vendor's catalogue), as bookings needs to know it. */
export interface Seller {
  resellerId: string
  resellerUserId: string
  accessId: string
  vendorId: string
  commissionBps: number
  maxHeldSeats: number
}

/** What a reseller may change on its booking (OCTO update and confirm). */
export interface SaleChange {
  tripId?: string
  unitItems?: UnitItem[]
  contact?: Contact
  reference?: string | null
  notes?: string | null
  holdMinutes?: number
}

/**
 * A reseller's booking by its uuid, locked, when it is this reseller's and on this access's vendor:
 * anything else does not exist for it. The first step of every change to a reseller's booking.
 */
export async function lockSale(trx: Kysely<DB>, seller: Seller, uuid: string): Promise<BookingWithTrip> {
  const found = await bookingRepository.findSale(trx, seller.resellerId, uuid)
  const locked = found && (await bookingRepository.lock(trx, found.booking.id))
  if (!locked || locked.trip.vendorId !== seller.vendorId || locked.booking.reseller?.uuid !== uuid)
    throw new BookingNotFoundError(uuid)
  return locked
}

/** A reseller's booking by uuid (read only). */
export async function findSale(db: Kysely<DB>, seller: Seller, uuid: string): Promise<BookingWithTrip> {
  const found = await bookingRepository.findSale(db, seller.resellerId, uuid)
  if (!found || found.trip.vendorId !== seller.vendorId) throw new BookingNotFoundError(uuid)
  return found
}

/** A reseller's bookings on its access's vendor, by a reference or by departure dates. */
export function listSales(
  db: Kysely<DB>,
  seller: Seller,
  filter: { resellerReference?: string; bookingId?: string; startsFrom?: string; startsTo?: string },
): Promise<BookingWithTrip[]> {
  return bookingRepository.salesOf(db, {
    ...filter,
    resellerId: seller.resellerId,
    vendorId: seller.vendorId,
    limit: 500,
  })
}
