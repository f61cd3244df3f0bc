import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { AddressLimits } from '../../platform/security/throttle.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip, tripSeats } from '../trips/index.js'
import type { Booking } from './booking.js'
import {
  BookingNotFoundError,
  BookingStateError,
  HoldLimitError,
  SoldOutError,
  TripNotBookableError,
} from './booking-errors.js'
import { bookingRepository } from './booking-repository.js'

/**
 * The owner changes notes, or seats while the booking is pending. The booking is locked first and
 * every decision is made on what was read under the lock; more seats go through the capacity guard
 * and then the hold-limit guard (booking → trip → hold: the one lock order), fewer give both back.
 */
export async function updateBooking(
  deps: {
    db: Kysely<DB>
    clock: Clock
    cache: Cache
    maxHeldSeats: number
    addressLimits: AddressLimits
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  input: { bookingId: string; seats?: number; notes?: string | null; ip: string },
): Promise<Booking> {
  const now = deps.clock.now()
  const at = now.toISOString()
  let added = 0
  const changed = await inTransaction(deps.db, async (trx) => {
    const found = await bookingRepository.lock(trx, input.bookingId)
    if (!found || found.booking.userId !== actor.userId) throw new BookingNotFoundError(input.bookingId)
    const { booking, trip } = found
    if (booking.status !== 'pending' && booking.status !== 'confirmed') {
      throw new BookingStateError('booking.not_changeable', `A ${booking.status} booking cannot be changed.`)
    }
    let result: Booking = booking
    if (input.seats !== undefined && input.seats !== booking.seats) {
      if (booking.status !== 'pending' || booking.holdExpiresAt <= at) {
        throw new BookingStateError(
          'booking.seats_locked',
          'Seats can change only while the booking is pending.',
        )
      }
      const delta = input.seats - booking.seats
      added = Math.max(0, delta)
      if (delta > 0) {
        // More seats are more seats held from this address.
        await deps.addressLimits.checkHold(input.ip, delta)
        if (!(await tripSeats.take(trx, booking.tripId, delta, at))) {
          if (trip.vendorStatus !== 'approved')
            throw new TripNotBookableError("This trip's vendor is not taking bookings now.")
          throw new SoldOutError(Math.max(0, trip.capacity - trip.seatsTaken))
        }
        if (!(await bookingRepository.holdSeats(trx, actor.userId, delta, deps.maxHeldSeats))) {
          throw new HoldLimitError(deps.maxHeldSeats, await bookingRepository.heldSeats(trx, actor.userId))
        }
      } else {
        await tripSeats.release(trx, booking.tripId, -delta)
        await bookingRepository.releaseHold(trx, actor.userId, -delta)
      }
      await bookingRepository.changeSeats(trx, booking.id, input.seats, booking.unitPrice.amount, now)
      result = {
        ...result,
        seats: input.seats,
        total: { ...booking.total, amount: input.seats * booking.unitPrice.amount },
        updatedAt: at,
      }
    }
    if (input.notes !== undefined) {
      await bookingRepository.changeNotes(trx, booking.id, input.notes, now)
      result = { ...result, notes: input.notes, updatedAt: at }
    }
    return result
  })
  if (added > 0) await deps.addressLimits.recordHold(input.ip, added)
  if (input.seats !== undefined) await forgetTrip(deps, changed.tripId)
  return changed
}
