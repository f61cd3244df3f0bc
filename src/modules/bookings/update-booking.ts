import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip, tripRepository } from '../trips/index.js'
import type { Booking } from './booking.js'
import { BookingNotFoundError, BookingStateError, HoldLimitError, SoldOutError } from './booking-errors.js'
import { bookingRepository } from './booking-repository.js'

/** The owner changes notes, or seats while the booking is pending (capacity and hold limit rechecked). */
export async function updateBooking(
  deps: {
    db: Kysely<DB>
    clock: Clock
    cache: Cache
    maxHeldSeats: number
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  input: { bookingId: string; seats?: number; notes?: string | null },
): Promise<Booking> {
  const now = deps.clock.now()
  const at = now.toISOString()
  const changed = await deps.db.transaction().execute(async (trx) => {
    const booking = await bookingRepository.findById(trx, input.bookingId)
    if (!booking || booking.userId !== actor.userId) throw new BookingNotFoundError(input.bookingId)
    if (booking.status !== 'pending' && booking.status !== 'confirmed') {
      throw new BookingStateError('booking.not_changeable', `A ${booking.status} booking cannot be changed.`)
    }
    if (input.seats !== undefined && input.seats !== booking.seats) {
      if (booking.status !== 'pending' || booking.holdExpiresAt <= at) {
        throw new BookingStateError(
          'booking.seats_locked',
          'Seats can change only while the booking is pending.',
        )
      }
      const delta = input.seats - booking.seats
      if (delta > 0) {
        if (!(await bookingRepository.holdSeats(trx, actor.userId, delta, deps.maxHeldSeats))) {
          throw new HoldLimitError(deps.maxHeldSeats, await bookingRepository.heldSeats(trx, actor.userId))
        }
        if (!(await tripRepository.takeSeats(trx, booking.tripId, delta, at))) {
          const trip = await bookingRepository.tripContext(trx, booking.tripId)
          throw new SoldOutError(trip ? Math.max(0, trip.capacity - trip.seatsTaken) : 0)
        }
      } else {
        await tripRepository.releaseSeats(trx, booking.tripId, -delta)
        await bookingRepository.releaseHold(trx, actor.userId, -delta)
      }
      await bookingRepository.changeSeats(trx, booking.id, input.seats, booking.unitPrice.amount, now)
    }
    if (input.notes !== undefined) await bookingRepository.changeNotes(trx, booking.id, input.notes, now)
    return (await bookingRepository.findById(trx, booking.id))!
  })
  if (input.seats !== undefined) await forgetTrip(deps, changed.tripId)
  return changed
}
