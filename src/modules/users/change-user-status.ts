import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import { type Cache, invalidate } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { AppError } from '../../shared/errors.js'
import { profileKey } from './get-user.js'
import type { RevokeSessions } from './update-user.js'
import type { User } from './user.js'
import { UserNotFoundError } from './user-errors.js'
import { userRepository } from './user-repository.js'

/**
 * Admin: deactivates an account (it cannot sign in; every session ends, so its tokens stop working on
 * the next request on every instance) or activates it again. On record in the audit trail.
 */
export async function changeUserStatus(
  deps: {
    db: Kysely<DB>
    cache: Cache
    clock: Clock
    revokeSessions: RevokeSessions
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  id: string,
  to: 'active' | 'deactivated',
): Promise<User> {
  if (actor.role !== 'admin') throw new UserNotFoundError(id)
  if (actor.userId === id && to === 'deactivated')
    throw new AppError('conflict', 'user.self_deactivation', 'An admin cannot deactivate their own account.')
  const now = deps.clock.now()
  const { user, afterCommit } = await inTransaction(deps.db, async (trx) => {
    const found = await userRepository.lock(trx, id)
    if (!found || found.status === 'deleted') throw new UserNotFoundError(id)
    if (found.status === to) return { user: found, afterCommit: async () => {} }
    await userRepository.setStatus(trx, id, to, now)
    await recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: to === 'deactivated' ? 'user.deactivate' : 'user.activate',
        targetType: 'user',
        targetId: id,
        before: { status: found.status },
        after: { status: to },
      },
      now,
    )
    const after =
      to === 'deactivated' ? await deps.revokeSessions(trx, id, 'deactivated', now) : async () => {}
    return { user: { ...found, status: to, updatedAt: now.toISOString() }, afterCommit: after }
  })
  await invalidate(deps.cache, [profileKey(id)], deps.log)
  await afterCommit()
  return user
}
