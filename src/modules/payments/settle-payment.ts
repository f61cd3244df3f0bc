import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import { addEvent } from '../../platform/outbox.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { confirmLockedBooking, lockBooking, reviveLockedBooking } from '../bookings/index.js'
import { inFlight, type Payment, type PaymentRefund } from './payment.js'
import { PaymentNotFoundError } from './payment-errors.js'
import type { Charge, PaymentGateway } from './payment-gateway.js'
import { paymentRepository } from './payment-repository.js'
import { processRefund } from './process-refund.js'

export interface SettleDeps {
  db: Kysely<DB>
  clock: Clock
  gateway: PaymentGateway
  log?: { warn(obj: object, msg: string): void }
}

/**
 * Applies what the provider said about a payment, whoever brings the news (the API's own call, a
 * webhook, the reconciliation job), once: the booking is locked first, then the payment; a payment
 * already settled is left as it is, so a repeated or late message changes nothing. A success confirms
 * the booking in the same transaction, with `payment.succeeded` and `booking.confirmed`. A success for
 * a booking whose hold ran out takes its seats again if they are still free; otherwise (the trip
 * filled, the booking was cancelled) the payment is refunded in full at once: no money kept for
 * nothing, no seat sold twice.
 */
export async function settlePayment(deps: SettleDeps, paymentId: string, charge: Charge): Promise<Payment> {
  const now = deps.clock.now()
  const { payment, refunds } = await inTransaction(deps.db, async (trx) => {
    const unlocked = await paymentRepository.findById(trx, paymentId)
    if (!unlocked) throw new PaymentNotFoundError(paymentId)
    const found = await lockBooking(trx, unlocked.bookingId)
    const current = await paymentRepository.lock(trx, paymentId)
    if (!found || !current) throw new PaymentNotFoundError(paymentId)
    // A final word stands, except a success after a failure (a customer who finished 3-D Secure late,
    // events out of order): the money was taken, so the success is recorded and dealt with below.
    const lateSuccess = current.status === 'failed' && charge.status === 'succeeded'
    if (
      (!inFlight(current) && !lateSuccess) ||
      charge.status === 'processing' ||
      current.status === charge.status
    )
      return { payment: current, refunds: [] as PaymentRefund[] }
    if (lateSuccess && (await paymentRepository.liveOfBooking(trx, current.bookingId))) {
      // Another payment of this booking is live: this money needs a person (logged, left as it is).
      deps.log?.warn({ paymentId: current.id }, 'late success of a failed payment while another is live')
      return { payment: current, refunds: [] as PaymentRefund[] }
    }
    await paymentRepository.settle(trx, current.id, charge, now)
    const at = now.toISOString()
    const settled: Payment = {
      ...current,
      status: charge.status,
      providerId: charge.id,
      clientSecret: charge.clientSecret,
      failure: charge.failure,
      updatedAt: at,
      settledAt: charge.status === 'requires_action' ? null : at,
    }
    const out: PaymentRefund[] = []
    const event = { booking_id: current.bookingId, payment_id: current.id, amount: current.amount }
    if (charge.status === 'succeeded') {
      await addEvent(trx, { type: 'payment.succeeded', aggregateId: current.id, payload: event }, now)
      if (found.booking.status === 'pending') {
        await confirmLockedBooking(trx, found.booking, now)
      } else if (!(await reviveLockedBooking(trx, found.booking, now))) {
        const refund: PaymentRefund = {
          id: newId('ref', now.getTime()),
          paymentId: current.id,
          bookingId: current.bookingId,
          amount: current.amount,
          status: 'processing',
          reason: `The booking was ${found.booking.status} when its payment succeeded: refunded in full.`,
          providerId: null,
          createdAt: at,
          updatedAt: at,
        }
        if (!(await paymentRepository.reserveRefund(trx, current.id, refund.amount.amount)))
          throw new Error(`payment ${current.id} cannot be refunded in full`)
        await paymentRepository.insertRefund(trx, refund)
        out.push(refund)
      }
    } else if (charge.status === 'failed') {
      await addEvent(
        trx,
        { type: 'payment.failed', aggregateId: current.id, payload: { ...event, failure: charge.failure } },
        now,
      )
    }
    return { payment: settled, refunds: out }
  })
  for (const refund of refunds) await processRefund(deps, refund.id)
  return { ...payment, refunded: payment.refunded + refunds.reduce((s, r) => s + r.amount.amount, 0) }
}
