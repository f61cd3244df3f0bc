import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip } from '../trips/index.js'
import type { BookingWithTrip } from './booking-repository.js'
import { type CancellationRefunds, cancelLocked } from './cancel-booking.js'
import { findSale, lockSale, type Seller } from './reseller-sales.js'

/**
 * A reseller cancels its booking (OCTO cancel): a reservation lets its seats go; a confirmed booking
 * is refunded by the trip's policy, as its traveller would be, the credit recorded against what the
 * reseller owes.
 */
export async function cancelSale(
  deps: {
    db: Kysely<DB>
    clock: Clock
    cache: Cache
    refunds: CancellationRefunds
    log?: { warn(obj: object, msg: string): void }
  },
  seller: Seller,
  uuid: string,
  reason: string | null,
): Promise<BookingWithTrip> {
  const now = deps.clock.now()
  const { cancelled, refundId } = await inTransaction(deps.db, async (trx) =>
    cancelLocked(trx, deps.refunds, await lockSale(trx, seller, uuid), 'reseller', reason, now),
  )
  if (refundId) await deps.refunds.send([refundId])
  await forgetTrip(deps, cancelled.tripId)
  return findSale(deps.db, seller, uuid)
}
