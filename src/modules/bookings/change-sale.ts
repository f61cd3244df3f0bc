import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip, TripNotFoundError, tripSeats } from '../trips/index.js'
import { type Booking, holdExpiry, resellerNet } from './booking.js'
import { BookingStateError, HoldLimitError, SoldOutError, TripNotBookableError } from './booking-errors.js'
import { type BookingWithTrip, bookingRepository, type TripContext } from './booking-repository.js'
import { findSale, lockSale, type SaleChange, type Seller } from './reseller-sales.js'

/**
 * Changes a reseller's booking locked in this transaction (OCTO update, extend, and the changes a
 * confirm may carry). Departure, unit items (its seats) and hold time change only while it is on hold:
 * more seats or another departure go through the capacity guard and the hold-limit guard, in the one
 * lock order (booking → trips → hold). References, contact and notes may change while it is live.
 */
export async function changeLockedSale(
  trx: Kysely<DB>,
  seller: Seller,
  { booking, trip }: BookingWithTrip,
  change: SaleChange,
  now: Date,
): Promise<{ booking: Booking; tripsTouched: string[] }> {
  const at = now.toISOString()
  if (booking.status !== 'pending' && booking.status !== 'confirmed')
    throw new BookingStateError('booking.not_changeable', `A ${booking.status} booking cannot be changed.`)
  const seats = change.unitItems?.length ?? booking.seats
  const moving = change.tripId !== undefined && change.tripId !== booking.tripId
  const touched: string[] = []
  let unitPrice = booking.unitPrice.amount
  if (moving || seats !== booking.seats || change.holdMinutes !== undefined) {
    if (booking.status !== 'pending' || booking.holdExpiresAt <= at)
      throw new BookingStateError(
        'booking.seats_locked',
        'The departure, unit items and hold can change only while the booking is on hold.',
      )
  }
  if (moving) {
    const to = change.tripId!
    const taken = await tripSeats.take(trx, to, seats, at)
    if (!taken) throw await notBookable(trx, to, at)
    await tripSeats.release(trx, booking.tripId, booking.seats)
    await changeHold(trx, seller, booking, seats - booking.seats)
    await bookingRepository.changeTrip(trx, booking.id, to, seats, taken.unitPrice, taken.currency, now)
    unitPrice = taken.unitPrice
    touched.push(booking.tripId, to)
  } else if (seats !== booking.seats) {
    const delta = seats - booking.seats
    if (delta > 0 && !(await tripSeats.take(trx, booking.tripId, delta, at))) {
      if (trip.vendorStatus !== 'approved')
        throw new TripNotBookableError("This trip's vendor is not taking bookings now.")
      throw new SoldOutError(Math.max(0, trip.capacity - trip.seatsTaken))
    }
    if (delta < 0) await tripSeats.release(trx, booking.tripId, -delta)
    await changeHold(trx, seller, booking, delta)
    await bookingRepository.changeSeats(trx, booking.id, seats, unitPrice, now)
    touched.push(booking.tripId)
  }
  if (change.holdMinutes !== undefined)
    await bookingRepository.extendHold(
      trx,
      booking.id,
      new Date(Date.parse(holdExpiry(now, change.holdMinutes))),
    )
  const net =
    moving || seats !== booking.seats ? resellerNet(seats * unitPrice, seller.commissionBps) : undefined
  await bookingRepository.changeSale(
    trx,
    booking.id,
    { reference: change.reference, contact: change.contact, unitItems: change.unitItems, net },
    now,
  )
  if (change.notes !== undefined) await bookingRepository.changeNotes(trx, booking.id, change.notes, now)
  return { booking: (await bookingRepository.findById(trx, booking.id))!, tripsTouched: touched }
}

/** The reseller's hold grows or shrinks with its booking's seats. */
async function changeHold(trx: Kysely<DB>, seller: Seller, booking: Booking, delta: number): Promise<void> {
  if (delta > 0 && !(await bookingRepository.holdSeats(trx, booking.userId, delta, seller.maxHeldSeats)))
    throw new HoldLimitError(seller.maxHeldSeats, await bookingRepository.heldSeats(trx, booking.userId))
  if (delta < 0) await bookingRepository.releaseHold(trx, booking.userId, -delta)
}

/** Why the capacity guard refused a departure. */
async function notBookable(trx: Kysely<DB>, tripId: string, at: string): Promise<Error> {
  const trip: TripContext | undefined = await bookingRepository.tripContext(trx, tripId)
  if (!trip) return new TripNotFoundError(tripId)
  if (trip.status !== 'published') return new TripNotBookableError('This departure is cancelled.')
  if (trip.vendorStatus !== 'approved')
    return new TripNotBookableError("This trip's vendor is not taking bookings now.")
  if (trip.startsAt <= at) return new TripNotBookableError('This departure has already left.')
  return new SoldOutError(Math.max(0, trip.capacity - trip.seatsTaken))
}

/** OCTO update and extend: a change to a reseller's booking in its own transaction. */
export async function changeSale(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  seller: Seller,
  uuid: string,
  /** The change, decided on the booking as read under its lock. */
  change: (booking: Booking) => SaleChange,
): Promise<BookingWithTrip> {
  const now = deps.clock.now()
  const { tripsTouched } = await inTransaction(deps.db, async (trx) => {
    const found = await lockSale(trx, seller, uuid)
    return changeLockedSale(trx, seller, found, change(found.booking), now)
  })
  for (const id of tripsTouched) await forgetTrip(deps, id)
  return findSale(deps.db, seller, uuid)
}
