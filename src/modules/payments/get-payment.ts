import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Payment, PaymentRefund } from './payment.js'
import { PaymentNotFoundError } from './payment-errors.js'
import { paymentRepository } from './payment-repository.js'

/** A payment with its refunds, for its payer or an admin; anyone else gets "not found". */
export async function getPayment(
  deps: { db: Kysely<DB> },
  actor: Actor,
  id: string,
): Promise<{ payment: Payment; refunds: PaymentRefund[] }> {
  const payment = await paymentRepository.findById(deps.db, id)
  if (!payment || (actor.role !== 'admin' && payment.userId !== actor.userId))
    throw new PaymentNotFoundError(id)
  return { payment, refunds: await paymentRepository.refundsOf(deps.db, id) }
}

/** A booking's payments and refunds as the booking shows them (GET /bookings/{id}). */
export async function paymentsOfBooking(deps: { db: Kysely<DB> }, bookingId: string) {
  return (await paymentRepository.ofBooking(deps.db, bookingId)).map(({ payment, refunds }) => ({
    id: payment.id,
    status: payment.status,
    amount: payment.amount,
    refunded: { amount: payment.refunded, currency: payment.amount.currency },
    refunds: refunds.map((r) => ({ id: r.id, status: r.status, amount: r.amount, reason: r.reason })),
    created_at: payment.createdAt,
  }))
}
