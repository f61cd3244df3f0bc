import { isUniqueViolation } from '../../platform/database/database.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import { newId } from '../../shared/ids.js'
import { holdWhilePaying, lockBooking } from '../bookings/index.js'
import { chargeOf, IN_FLIGHT_HOLD_MINUTES, inFlight, type Payment } from './payment.js'
import {
  BookingToPayNotFoundError,
  PaymentConflictError,
  PaymentDeclinedError,
  ProviderUnavailableError,
} from './payment-errors.js'
import { type Charge, GatewayRejectedError, GatewayUnavailableError } from './payment-gateway.js'
import { paymentRepository, UNANSWERED } from './payment-repository.js'
import { type SettleDeps, settlePayment } from './settle-payment.js'

/**
 * The booking's owner pays for it. The payment row is written (booking locked, one live payment per
 * booking) before the provider is called with `payment:{id}`; the provider's answer settles it. A
 * success confirms the booking; `requires_action` answers what the client needs for 3-D Secure; a
 * decline is 402 and the booking stays payable; an unreachable provider is 503 and the payment stays
 * in flight, to be settled by a retry with the same payment method or by the reconciliation job,
 * with the same key, so never charged twice.
 */
export async function payBooking(
  deps: SettleDeps,
  actor: Actor,
  input: { bookingId: string; paymentMethod: string },
): Promise<Payment> {
  const now = deps.clock.now()
  let payment: Payment
  try {
    payment = await inTransaction(deps.db, async (trx) => {
      const found = await lockBooking(trx, input.bookingId)
      if (!found || found.booking.userId !== actor.userId)
        throw new BookingToPayNotFoundError(input.bookingId)
      const { booking } = found
      const live = await paymentRepository.liveOfBooking(trx, booking.id)
      if (live?.status === 'succeeded')
        throw new PaymentConflictError('payment.already_paid', 'This booking is paid already.')
      if (live && inFlight(live)) {
        // A retry after the provider did not answer: drive the same payment again, with its own key.
        if (live.failure?.code === UNANSWERED && live.paymentMethod === input.paymentMethod) return live
        throw new PaymentConflictError('payment.in_progress', 'A payment for this booking is under way.')
      }
      if (booking.status !== 'pending')
        throw new PaymentConflictError(
          'payment.booking_not_payable',
          `A ${booking.status} booking cannot be paid.`,
        )
      if (booking.holdExpiresAt <= now.toISOString())
        throw new PaymentConflictError(
          'payment.hold_expired',
          'The hold on these seats has run out; book again.',
        )
      const at = now.toISOString()
      const created: Payment = {
        id: newId('pay', now.getTime()),
        bookingId: booking.id,
        userId: actor.userId,
        amount: booking.total,
        status: 'processing',
        paymentMethod: input.paymentMethod,
        provider: deps.gateway.name,
        providerId: null,
        clientSecret: null,
        failure: null,
        refunded: 0,
        createdAt: at,
        updatedAt: at,
        settledAt: null,
      }
      await paymentRepository.insert(trx, created)
      await holdWhilePaying(trx, booking, new Date(now.getTime() + IN_FLIGHT_HOLD_MINUTES * 60_000))
      return created
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new PaymentConflictError('payment.in_progress', 'A payment for this booking is under way.')
    throw err
  }

  let charge: Charge
  try {
    charge = await deps.gateway.charge(chargeOf(payment))
  } catch (err) {
    if (err instanceof GatewayUnavailableError) {
      deps.log?.warn({ err, paymentId: payment.id }, 'payment left in flight: the provider is unavailable')
      await paymentRepository.markUnanswered(deps.db, payment.id, deps.clock.now())
      throw new ProviderUnavailableError()
    }
    if (!(err instanceof GatewayRejectedError)) throw err
    charge = {
      id: `rejected:${payment.id}`,
      status: 'failed',
      amount: payment.amount.amount,
      currency: payment.amount.currency,
      clientSecret: null,
      failure: { code: 'provider_rejected', message: 'The payment provider refused this payment.' },
    }
  }
  const settled = await settlePayment(deps, payment.id, charge)
  if (settled.status === 'failed')
    throw new PaymentDeclinedError(
      settled.failure?.code ?? 'declined',
      settled.failure?.message ?? 'Declined.',
    )
  return settled
}
