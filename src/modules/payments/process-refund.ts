import { inTransaction } from '../../platform/database/transaction.js'
import { addEvent } from '../../platform/outbox.js'
import { lockBooking } from '../bookings/index.js'
import type { PaymentRefund } from './payment.js'
import { RESELLER_ACCOUNT, refundKey } from './payment.js'
import { GatewayRejectedError, GatewayUnavailableError, type Refunded } from './payment-gateway.js'
import { paymentRepository } from './payment-repository.js'
import type { SettleDeps } from './settle-payment.js'

/**
 * Sends a recorded refund to the provider with its own key (`refund:{id}`) and settles it: succeeded
 * (with `payment.refunded`), or failed definitively, which gives its amount back to the payment. An
 * unreachable provider leaves it processing for the reconciliation to send again (same key: never
 * twice). Returns the refund as it stands.
 */
export async function processRefund(deps: SettleDeps, refundId: string): Promise<PaymentRefund | undefined> {
  const refund = await paymentRepository.findRefund(deps.db, refundId)
  if (refund?.status !== 'processing') return refund
  const payment = await paymentRepository.findById(deps.db, refund.paymentId)
  if (!payment?.providerId) throw new Error(`refund ${refundId} has no charge to refund`)
  let result: Refunded
  if (payment.provider === RESELLER_ACCOUNT) {
    // Nothing to send anywhere: the credit is on the reseller's statement once recorded.
    result = { id: `credit_${refund.id}`, status: 'succeeded', amount: refund.amount.amount }
  } else
    try {
      result = await deps.gateway.refund({
        key: refundKey(refund.id),
        chargeId: payment.providerId,
        amount: refund.amount.amount,
        currency: refund.amount.currency,
      })
    } catch (err) {
      if (err instanceof GatewayUnavailableError) {
        deps.log?.warn({ err, refundId }, 'refund left processing: the provider is unavailable')
        return refund
      }
      if (!(err instanceof GatewayRejectedError)) throw err
      result = { id: '', status: 'failed', amount: refund.amount.amount }
    }
  if (result.status === 'pending') return refund
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    await lockBooking(trx, refund.bookingId)
    await paymentRepository.lock(trx, refund.paymentId)
    const current = await paymentRepository.lockRefund(trx, refund.id)
    if (current?.status !== 'processing') return current
    const status = result.status === 'succeeded' ? 'succeeded' : 'failed'
    await paymentRepository.settleRefund(
      trx,
      refund.id,
      status,
      result.id || null,
      status === 'failed' ? 'The provider refused the refund.' : null,
      now,
    )
    if (status === 'failed')
      await paymentRepository.releaseRefund(trx, refund.paymentId, refund.amount.amount)
    else
      await addEvent(
        trx,
        {
          type: 'payment.refunded',
          aggregateId: refund.paymentId,
          payload: {
            payment_id: refund.paymentId,
            booking_id: refund.bookingId,
            refund_id: refund.id,
            amount: refund.amount,
            reason: refund.reason,
          },
        },
        now,
      )
    return { ...current, status, providerId: result.id || null, updatedAt: now.toISOString() }
  })
}
