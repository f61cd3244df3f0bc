import { isUniqueViolation } from '../../platform/database/database.js'
import { forgetTrip } from '../trips/index.js'
import type { Contact, UnitItem } from './booking.js'
import { HoldLimitError, SaleUuidTakenError } from './booking-errors.js'
import { type BookingWithTrip, bookingRepository } from './booking-repository.js'
import { type CreateBookingDeps, placeForBuyer } from './create-booking.js'
import type { Seller } from './reseller-sales.js'

/**
 * A reseller's reservation (OCTO): seats held through the same capacity and hold-limit guards as a
 * traveller's booking, for `holdMinutes`, its unit items one per seat. The reseller's uuid is the
 * idempotency key: a uuid already used answers the booking it made, whether the first request
 * finished long ago or is committing at this moment (the unique index decides).
 */
export async function reserveForReseller(
  deps: Omit<CreateBookingDeps, 'maxHeldSeats' | 'holdMinutes'>,
  seller: Seller,
  input: {
    tripId: string
    uuid: string
    unitItems: UnitItem[]
    contact: Contact
    reference: string | null
    notes: string | null
    holdMinutes: number
  },
): Promise<BookingWithTrip> {
  const earlier = async () => {
    const found = await bookingRepository.findSale(deps.db, seller.resellerId, input.uuid)
    if (found && found.trip.vendorId !== seller.vendorId) throw new SaleUuidTakenError(input.uuid)
    return found
  }
  const done = await earlier()
  if (done) return done
  const seats = input.unitItems.length
  if (seats > seller.maxHeldSeats)
    throw new HoldLimitError(
      seller.maxHeldSeats,
      await bookingRepository.heldSeats(deps.db, seller.resellerUserId),
    )
  try {
    await placeForBuyer(
      { ...deps, maxHeldSeats: seller.maxHeldSeats, holdMinutes: input.holdMinutes },
      {
        userId: seller.resellerUserId,
        maxHeldSeats: seller.maxHeldSeats,
        holdMinutes: input.holdMinutes,
        sale: {
          resellerId: seller.resellerId,
          accessId: seller.accessId,
          commissionBps: seller.commissionBps,
          uuid: input.uuid,
          reference: input.reference,
          contact: input.contact,
          unitItems: input.unitItems,
        },
      },
      { tripId: input.tripId, seats, notes: input.notes, requestKey: null },
    )
  } catch (err) {
    if (isUniqueViolation(err)) {
      const raced = await earlier()
      if (raced) return raced
    }
    throw err
  }
  await forgetTrip(deps, input.tripId)
  return (await earlier())!
}
