import { chargeOf } from './payment.js'
import { type Charge, GatewayUnavailableError } from './payment-gateway.js'
import { paymentRepository } from './payment-repository.js'
import { processRefund } from './process-refund.js'
import { type SettleDeps, settlePayment } from './settle-payment.js'

/**
 * Scheduled: settles what a crash or a timeout left in flight, by asking the provider again with the
 * same key: a payment still `processing` (the charge is sent again with `payment:{id}` — the provider
 * answers with the charge it already made, or makes it now, once), a payment waiting for 3-D Secure
 * (looked up, settled if the customer finished), and refunds still `processing` (sent again with
 * `refund:{id}`). Only what has been quiet for `quietSeconds`, so a request still running is left to
 * finish. Safe to run on several workers at once: settling is done once under the row locks.
 */
export async function reconcilePayments(
  deps: SettleDeps,
  options: { quietSeconds?: number; batch?: number } = {},
): Promise<{ payments: number; refunds: number }> {
  const before = new Date(deps.clock.now().getTime() - (options.quietSeconds ?? 60) * 1000)
  const batch = options.batch ?? 100
  let payments = 0
  for (const p of await paymentRepository.inFlightSince(deps.db, before, batch)) {
    try {
      let charge: Charge | undefined
      if (p.status === 'processing') {
        charge = await deps.gateway.charge(chargeOf(p))
      } else if (p.providerId) {
        charge = await deps.gateway.retrieve(p.providerId)
      }
      if (charge && charge.status !== p.status) {
        await settlePayment(deps, p.id, charge)
        payments++
      }
    } catch (err) {
      if (!(err instanceof GatewayUnavailableError)) throw err
      deps.log?.warn({ err, paymentId: p.id }, 'reconciliation: provider unavailable, trying later')
    }
  }
  let refunds = 0
  for (const r of await paymentRepository.refundsInFlightSince(deps.db, before, batch)) {
    const after = await processRefund(deps, r.id)
    if (after && after.status !== 'processing') refunds++
  }
  return { payments, refunds }
}
