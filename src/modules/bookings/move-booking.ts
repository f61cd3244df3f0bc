import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { addEvent, type EventType } from '../../platform/outbox.js'
import { tripRepository } from '../trips/index.js'
import {
  type Booking,
  type Canceller,
  MOVABLE_FROM,
  nextStatus,
  type Refund,
  type Transition,
} from './booking.js'
import { bookingRepository } from './booking-repository.js'

const EVENT: Record<Transition, EventType> = {
  confirm: 'booking.confirmed',
  expire: 'booking.expired',
  cancel: 'booking.cancelled',
  complete: 'booking.completed',
}

/**
 * One state transition inside the caller's transaction: the conditional status change (of two racing
 * moves exactly one wins), the seats going back to the trip when the booking stops holding them, and
 * the event in the outbox. Returns the booking after the move, or undefined if it had already moved.
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
  // Only from the status we decided on: a refund computed for "confirmed" must not land on a booking
  // that another request has moved since.
  const from = MOVABLE_FROM(move).filter((s) => s === booking.status)
  if (!(await bookingRepository.move(trx, booking.id, from, to, now, extra))) return undefined
  if (to === 'expired' || to === 'cancelled')
    await tripRepository.releaseSeats(trx, booking.tripId, booking.seats)
  // A pending booking's seats count against its traveller's hold limit until it leaves pending.
  if (booking.status === 'pending') await bookingRepository.releaseHold(trx, booking.userId, booking.seats)
  const at = now.toISOString()
  const moved: Booking = {
    ...booking,
    status: to,
    updatedAt: at,
    ...(to === 'confirmed' ? { confirmedAt: at } : { closedAt: at }),
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
