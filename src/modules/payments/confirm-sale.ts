import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import { addEvent } from '../../platform/outbox.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import {
  type Booking,
  BookingStateError,
  type BookingWithTrip,
  changeLockedSale,
  confirmLockedBooking,
  findSale,
  lockSale,
  type SaleChange,
  type Seller,
} from '../bookings/index.js'
import { forgetTrip } from '../trips/index.js'
import { type Payment, RESELLER_ACCOUNT } from './payment.js'
import { paymentRepository } from './payment-repository.js'

/**
 * A reseller confirms its reservation (OCTO confirm), with the last changes it carries (unit items,
 * contact, reference). No card is charged: the reseller owes the net price, recorded as the booking's
 * payment on account in the same transaction, so the ledger, payouts and analytics see the sale like
 * any other. Confirming a confirmed booking again changes nothing.
 */
export async function confirmSale(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  seller: Seller,
  uuid: string,
  /** The last changes the confirmation carries, decided on the booking as read under its lock. */
  change: (booking: Booking) => Omit<SaleChange, 'tripId' | 'holdMinutes'>,
): Promise<BookingWithTrip> {
  const now = deps.clock.now()
  const at = now.toISOString()
  const touched = await inTransaction(deps.db, async (trx) => {
    const found = await lockSale(trx, seller, uuid)
    if (found.booking.status === 'confirmed') return []
    if (found.booking.status !== 'pending' || found.booking.holdExpiresAt <= at)
      throw new BookingStateError(
        'booking.not_pending',
        found.booking.status === 'pending'
          ? 'This reservation has expired.'
          : `A ${found.booking.status} booking cannot be confirmed.`,
      )
    const { booking, tripsTouched } = await changeLockedSale(trx, seller, found, change(found.booking), now)
    await confirmLockedBooking(trx, booking, now)
    const owed = booking.reseller!.net
    if (owed > 0) {
      const payment: Payment = {
        id: newId('pay', now.getTime()),
        bookingId: booking.id,
        userId: booking.userId,
        amount: { amount: owed, currency: booking.total.currency },
        status: 'succeeded',
        paymentMethod: 'reseller_account',
        provider: RESELLER_ACCOUNT,
        providerId: `${RESELLER_ACCOUNT}:${seller.resellerId}`,
        clientSecret: null,
        failure: null,
        refunded: 0,
        createdAt: at,
        updatedAt: at,
        settledAt: at,
      }
      await paymentRepository.insert(trx, payment)
      await addEvent(
        trx,
        {
          type: 'payment.succeeded',
          aggregateId: payment.id,
          payload: {
            booking_id: booking.id,
            payment_id: payment.id,
            amount: payment.amount,
            channel: 'octo',
          },
        },
        now,
      )
    }
    return tripsTouched
  })
  for (const id of touched) await forgetTrip(deps, id)
  return findSale(deps.db, seller, uuid)
}
