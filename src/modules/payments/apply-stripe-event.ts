import type Stripe from 'stripe'
import { isUniqueViolation } from '../../platform/database/database.js'
import { paymentRepository } from './payment-repository.js'
import { processRefund } from './process-refund.js'
import { type SettleDeps, settlePayment } from './settle-payment.js'
import { toCharge } from './stripe-gateway.js'

const PAYMENT_INTENT_EVENTS = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.requires_action',
  'payment_intent.canceled',
])

/**
 * Applies a verified Stripe event once. Events already seen (by id) are skipped; applying is itself
 * idempotent (a settled payment stays as it is), so a crash between applying and recording the id
 * only means the next delivery applies it again, harmlessly. Order does not matter: a payment is
 * settled by the first final word and later words change nothing. Returns whether it was new.
 */
export async function applyStripeEvent(deps: SettleDeps, event: Stripe.Event): Promise<boolean> {
  const seen = await deps.db
    .selectFrom('webhook_events')
    .select('id')
    .where('id', '=', event.id)
    .executeTakeFirst()
  if (seen) return false
  if (PAYMENT_INTENT_EVENTS.has(event.type)) {
    const intent = event.data.object as Stripe.PaymentIntent
    const payment =
      (intent.metadata?.payment_id &&
        (await paymentRepository.findById(deps.db, intent.metadata.payment_id))) ||
      (await paymentRepository.findByProviderId(deps.db, intent.id))
    if (payment) await settlePayment(deps, payment.id, toCharge(intent))
  } else if (event.type === 'charge.refunded') {
    const charge = event.data.object as Stripe.Charge
    const intentId =
      typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id
    const payment = intentId ? await paymentRepository.findByProviderId(deps.db, intentId) : undefined
    if (payment)
      for (const r of await paymentRepository.refundsOf(deps.db, payment.id))
        if (r.status === 'processing') await processRefund(deps, r.id)
  }
  try {
    await deps.db
      .insertInto('webhook_events')
      .values({ id: event.id, type: event.type, received_at: deps.clock.now().toISOString() })
      .execute()
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
    return false // a concurrent delivery recorded it first
  }
  return true
}
