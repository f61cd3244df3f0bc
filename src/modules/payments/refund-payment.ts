import { recordAudit } from '../../platform/audit.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import { AppError } from '../../shared/errors.js'
import { newId } from '../../shared/ids.js'
import { lockBooking } from '../bookings/index.js'
import type { PaymentRefund } from './payment.js'
import { OverRefundError, PaymentConflictError, PaymentNotFoundError } from './payment-errors.js'
import { paymentRepository } from './payment-repository.js'
import { processRefund } from './process-refund.js'
import type { SettleDeps } from './settle-payment.js'

/**
 * An admin refunds a payment, in full (what is left) or in part. The amount is reserved on the
 * payment under its lock, conditionally, so refunds racing each other never add up to more than was
 * captured (409 `payment.over_refund`); the refund row is written before the provider is called with
 * `refund:{id}`.
 */
export async function refundPayment(
  deps: SettleDeps,
  actor: Actor,
  input: { paymentId: string; amount?: number; reason?: string | null },
): Promise<PaymentRefund> {
  const now = deps.clock.now()
  const unlocked = await paymentRepository.findById(deps.db, input.paymentId)
  if (!unlocked || (actor.role !== 'admin' && unlocked.userId !== actor.userId))
    throw new PaymentNotFoundError(input.paymentId)
  if (actor.role !== 'admin')
    throw new AppError('forbidden', 'payment.admin_only', 'Only an admin refunds a payment.')
  const refund = await inTransaction(deps.db, async (trx) => {
    await lockBooking(trx, unlocked.bookingId)
    const payment = await paymentRepository.lock(trx, unlocked.id)
    if (payment?.status !== 'succeeded')
      throw new PaymentConflictError(
        'payment.not_refundable',
        `A ${payment?.status} payment cannot be refunded.`,
      )
    const left = payment.amount.amount - payment.refunded
    const amount = input.amount ?? left
    if (amount <= 0 || !(await paymentRepository.reserveRefund(trx, payment.id, amount)))
      throw new OverRefundError(left)
    const at = now.toISOString()
    const row: PaymentRefund = {
      id: newId('ref', now.getTime()),
      paymentId: payment.id,
      bookingId: payment.bookingId,
      amount: { amount, currency: payment.amount.currency },
      status: 'processing',
      reason: input.reason ?? 'Refunded by an admin',
      providerId: null,
      createdAt: at,
      updatedAt: at,
    }
    await paymentRepository.insertRefund(trx, row)
    await recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: 'payment.refund',
        targetType: 'payment',
        targetId: payment.id,
        before: { refunded: payment.refunded },
        after: { refunded: payment.refunded + amount, refund_id: row.id, reason: row.reason },
      },
      now,
    )
    return row
  })
  return (await processRefund(deps, refund.id)) ?? refund
}
