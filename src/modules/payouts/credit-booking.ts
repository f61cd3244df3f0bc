import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { lockBooking } from '../bookings/index.js'
import { ledgerRepository } from './ledger-repository.js'
import { vendorShareOf } from './payout.js'
import { salesRepository } from './sales-repository.js'

/**
 * Brings a booking's credit in its vendor's ledger to what the vendor has earned from it: once the
 * booking is completed (or cancelled with part of the money kept), the vendor's share of captured minus
 * refunded. The first entry is the booking's credit; a later refund appends the difference (negative),
 * so the booking's entries always sum to its vendor share, whatever order the events arrive in. Runs
 * under the booking's lock, so two events of one booking never both append the same difference.
 * `source` names the refund behind a correction (its idempotency).
 */
export async function creditBooking(
  trx: Kysely<DB>,
  bookingId: string,
  source: string | null,
  now: Date,
): Promise<void> {
  if (!(await lockBooking(trx, bookingId))) return
  const money = await salesRepository.bookingMoney(trx, bookingId)
  if (!money || (money.status !== 'completed' && money.status !== 'cancelled')) return
  const target = vendorShareOf(money.captured - money.refunded, money.commissionBps)
  const base = {
    vendorId: money.vendorId,
    currency: money.currency,
    bookingId,
    reason: null,
    createdBy: null,
  }
  if (!(await ledgerRepository.hasBookingCredit(trx, bookingId))) {
    if (target !== 0 || money.captured > 0)
      await ledgerRepository.append(
        trx,
        { ...base, kind: 'booking', sourceId: bookingId, amount: target },
        now,
      )
    return
  }
  const difference = target - (await ledgerRepository.bookingTotal(trx, bookingId))
  if (difference !== 0)
    await ledgerRepository.append(
      trx,
      {
        ...base,
        kind: 'refund',
        sourceId: source ?? `${bookingId}:${now.toISOString()}`,
        amount: difference,
      },
      now,
    )
}
