import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { manageableTrip } from './get-trip.js'
import { forgetTrip } from './trip-cache.js'
import { TripCancelledError } from './trip-errors.js'
import { tripRepository } from './trip-repository.js'

/**
 * Cancels a trip's live bookings inside the trip's transaction; says how many, and what must happen
 * once it has committed (their refunds sent to the payment provider).
 */
export type CancelTripBookings = (
  trx: Kysely<DB>,
  tripId: string,
  by: 'vendor' | 'admin',
  now: Date,
) => Promise<{ count: number; afterCommit(): Promise<void> }>

/**
 * Cancels a trip (owner vendor or admin) and, in the same transaction, every live booking on it with
 * a full refund.
 */
export async function cancelTrip(
  deps: {
    db: Kysely<DB>
    clock: Clock
    cache: Cache
    cancelTripBookings: CancelTripBookings
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  id: string,
): Promise<void> {
  await manageableTrip(deps.db, actor, id, 'cancel') // 404 for anyone who may not
  const now = deps.clock.now()
  const by = actor.role === 'admin' ? 'admin' : 'vendor'
  const cancelled = await inTransaction(deps.db, async (trx) => {
    // Bookings are locked before the trip row (the one lock order); a booking that commits before the
    // trip row is written is caught by the second pass, and none can be made after it.
    const first = await deps.cancelTripBookings(trx, id, by, now)
    if (!(await tripRepository.cancel(trx, id, now))) return undefined
    const second = await deps.cancelTripBookings(trx, id, by, now)
    return [first, second]
  })
  if (!cancelled) throw new TripCancelledError(id)
  for (const pass of cancelled) await pass.afterCommit()
  await forgetTrip(deps, id)
}
