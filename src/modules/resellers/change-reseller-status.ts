import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import type { Reseller, ResellerStatus } from './reseller.js'
import { ResellerAdminOnlyError, ResellerNotFoundError } from './reseller-errors.js'
import { resellerRepository } from './reseller-repository.js'

/**
 * An admin suspends a reseller (every key it holds is refused from the next request, on every
 * instance: keys are checked against this status each time) or lets it sell again. Its bookings stay.
 */
export async function changeResellerStatus(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  id: string,
  to: ResellerStatus,
): Promise<Reseller> {
  if (actor.role !== 'admin') throw new ResellerAdminOnlyError()
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const reseller = await resellerRepository.findById(trx, id)
    if (!reseller) throw new ResellerNotFoundError(id)
    if (reseller.status === to) return reseller
    await resellerRepository.changeStatus(trx, id, to, now)
    await recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: to === 'suspended' ? 'reseller.suspend' : 'reseller.activate',
        targetType: 'reseller',
        targetId: id,
        before: { status: reseller.status },
        after: { status: to },
      },
      now,
    )
    return { ...reseller, status: to, updatedAt: now.toISOString() }
  })
}
