import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { newId } from '../../shared/ids.js'
import type { Booking, CancellationRefunds, Refund } from '../bookings/index.js'
import type { PaymentRefund } from './payment.js'
import { paymentRepository } from './payment-repository.js'
import { processRefund } from './process-refund.js'
import type { SettleDeps } from './settle-payment.js'

/**
 * Refunds of cancelled bookings, as bookings asks for them (CancellationRefunds): inside the
 * cancellation's transaction (the booking locked), the refund the policy decided is reserved on the
 * booking's succeeded payment (never beyond what is left to refund) and recorded; after the commit it
 * is sent to the provider with `refund:{id}`. A provider that does not answer leaves it processing
 * for the reconciliation job.
 */
export function createCancellationRefunds(deps: SettleDeps): CancellationRefunds {
  return {
    async record(trx: Kysely<DB>, booking: Booking, refund: Refund, now: Date) {
      if (refund.amount <= 0) return undefined
      const live = await paymentRepository.liveOfBooking(trx, booking.id)
      if (live?.status !== 'succeeded') return undefined
      const payment = await paymentRepository.lock(trx, live.id)
      if (!payment) return undefined
      const amount = Math.min(refund.amount, payment.amount.amount - payment.refunded)
      if (amount <= 0) return undefined
      if (!(await paymentRepository.reserveRefund(trx, payment.id, amount)))
        throw new Error(`payment ${payment.id} cannot take a refund of ${amount}`)
      const at = now.toISOString()
      const row: PaymentRefund = {
        id: newId('ref', now.getTime()),
        paymentId: payment.id,
        bookingId: booking.id,
        amount: { amount, currency: payment.amount.currency },
        status: 'processing',
        reason: `Cancelled by the ${booking.cancelledBy ?? 'system'}: ${refund.percent}% refunded by the policy`,
        providerId: null,
        createdAt: at,
        updatedAt: at,
      }
      await paymentRepository.insertRefund(trx, row)
      return row.id
    },
    async send(refundIds: string[]) {
      for (const id of refundIds) {
        try {
          await processRefund(deps, id)
        } catch (err) {
          // The cancellation has committed; the reconciliation job sends this refund again.
          deps.log?.warn({ err, refundId: id }, 'refund not sent yet')
        }
      }
    },
  }
}
