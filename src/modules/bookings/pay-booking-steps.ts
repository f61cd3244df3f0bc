import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { tripSeats } from '../trips/index.js'
import type { Booking } from './booking.js'
import { BookingStateError } from './booking-errors.js'
import { type BookingWithTrip, bookingRepository } from './booking-repository.js'
import { moveBooking } from './move-booking.js'

/**
 * The steps of a booking that payments takes inside its own transactions, so that a payment and the
 * booking it pays change together. Every one starts from the booking locked in that transaction.
 */

/** The booking and its trip, locked (FOR UPDATE on PostgreSQL): the first step of any change. */
export function lockBooking(trx: Kysely<DB>, id: string): Promise<BookingWithTrip | undefined> {
  return bookingRepository.lock(trx, id)
}

/** Confirms a locked pending booking whose payment succeeded (its event in the same transaction). */
export async function confirmLockedBooking(trx: Kysely<DB>, booking: Booking, now: Date): Promise<Booking> {
  const moved = await moveBooking(trx, booking, 'confirm', now)
  if (!moved)
    throw new BookingStateError('booking.not_pending', `A ${booking.status} booking cannot be confirmed.`)
  return moved
}

/**
 * A booking whose hold lapsed before its payment succeeded (a late 3-D Secure) takes its seats again
 * through the capacity guard and is confirmed; undefined when the seats are gone (the trip filled,
 * left or was cancelled), and the caller refunds the payment.
 */
export async function reviveLockedBooking(
  trx: Kysely<DB>,
  booking: Booking,
  now: Date,
): Promise<Booking | undefined> {
  if (booking.status !== 'expired') return undefined
  if (!(await tripSeats.take(trx, booking.tripId, booking.seats, now.toISOString()))) return undefined
  return moveBooking(trx, booking, 'revive', now)
}

/**
 * Keeps a locked pending booking's seats held until `until` while its payment is in flight (a 3-D
 * Secure step, a slow provider): the expiry job leaves it alone until then.
 */
export async function holdWhilePaying(trx: Kysely<DB>, booking: Booking, until: Date): Promise<void> {
  if (booking.status === 'pending' && booking.holdExpiresAt < until.toISOString())
    await bookingRepository.extendHold(trx, booking.id, until)
}
