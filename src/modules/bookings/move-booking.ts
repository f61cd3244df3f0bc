import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { addEvent, type EventType } from '../../platform/outbox.js'
import { tripSeats } from '../trips/index.js'
import { type Booking, type Canceller, nextStatus, type Refund, type Transition } from './booking.js'
import { bookingRepository } from './booking-repository.js'

const EVENT: Record<Transition, EventType> = {
  confirm: 'booking.confirmed',
  expire: 'booking.expired',
  cancel: 'booking.cancelled',
  complete: 'booking.completed',
  revive: 'booking.confirmed',
}

/**
 * One state transition of a booking the caller has locked (bookingRepository.lock) in this
 * transaction, decided on the state read under that lock: the status change, the seats going back to
 * the trip when the booking stops holding them, the traveller's hold released when it leaves pending
 * (booking → trip → hold: the one lock order), and the event in the outbox. Returns the booking after
 * the move, or undefined when its status does not allow the move.
 */
export async function moveBooking(
  trx: Kysely<DB>,
  booking: Booking,
  move: Transition,
  now: Date,
  extra: { refund?: Refund; cancelledBy?: Canceller; reason?: string | null } = {},
): Promise<Booking | undefined> {
  const to = nextStatus(booking.status, move)
  if (!to) return undefined
  await bookingRepository.move(trx, booking.id, booking.status, to, now, extra)
  if (to === 'expired' || to === 'cancelled') await tripSeats.release(trx, booking.tripId, booking.seats)
  // A pending booking's seats count against its traveller's hold limit until it leaves pending.
  if (booking.status === 'pending') await bookingRepository.releaseHold(trx, booking.userId, booking.seats)
  const at = now.toISOString()
  const moved: Booking = {
    ...booking,
    status: to,
    updatedAt: at,
    ...(to === 'confirmed' ? { confirmedAt: at, closedAt: null } : { closedAt: at }),
    ...(extra.refund && { refund: extra.refund }),
    ...(extra.cancelledBy && { cancelledBy: extra.cancelledBy, cancelReason: extra.reason ?? null }),
  }
  await addEvent(
    trx,
    {
      type: EVENT[move],
      aggregateId: booking.id,
      payload: {
        booking_id: booking.id,
        trip_id: booking.tripId,
        user_id: booking.userId,
        seats: booking.seats,
        status: to,
        channel: booking.channel,
        ...(booking.reseller && { reseller_id: booking.reseller.resellerId }),
        ...(extra.refund && {
          refund: {
            amount: extra.refund.amount,
            currency: booking.total.currency,
            percent: extra.refund.percent,
            commission: extra.refund.commission,
            vendor_share: extra.refund.vendorShare,
          },
        }),
        ...(extra.cancelledBy && { cancelled_by: extra.cancelledBy }),
      },
    },
    now,
  )
  return moved
}
