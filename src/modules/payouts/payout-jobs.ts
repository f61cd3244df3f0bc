import type { EventHandler, HandlerTable } from '../../platform/events/events.js'
import { creditBooking } from './credit-booking.js'

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * The ledger follows the bookings: a booking completed, or cancelled with part of its money kept, is
 * credited to its vendor; a refund afterwards corrects the credit. Each runs in the delivery's
 * transaction, so it takes effect once.
 */
export function payoutHandlers(): HandlerTable {
  const credit = (
    name: string,
    source: (payload: Record<string, unknown>) => string | null,
  ): EventHandler => ({
    name,
    handle: (trx, event) =>
      creditBooking(trx, str(event.payload.booking_id), source(event.payload), new Date(event.createdAt)),
  })
  return {
    'booking.completed': [credit('ledger.credit-completed', () => null)],
    'booking.cancelled': [credit('ledger.credit-cancelled', () => null)],
    'payment.refunded': [credit('ledger.correct-refund', (p) => str(p.refund_id) || null)],
  }
}
