import type { Kysely } from 'kysely'
import { type Cache, invalidate } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { profileKey } from './get-user.js'
import type { RevokeSessions } from './update-user.js'
import { canManageUser } from './user.js'
import { UserNotFoundError } from './user-errors.js'
import { userRepository } from './user-repository.js'

/** Deactivates the account and erases its personal data; bookings and payments keep the user id. */
export async function deleteUser(
  deps: {
    db: Kysely<DB>
    cache: Cache
    clock: Clock
    revokeSessions: RevokeSessions
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  id: string,
): Promise<void> {
  if (!canManageUser(actor, id)) throw new UserNotFoundError(id)
  const now = deps.clock.now()
  const afterCommit = await inTransaction(deps.db, async (trx) => {
    const user = await userRepository.findById(trx, id)
    if (!user || user.status === 'deleted') throw new UserNotFoundError(id)
    await userRepository.erase(trx, id, now)
    return deps.revokeSessions(trx, id, 'account_deleted', now)
  })
  await invalidate(deps.cache, [profileKey(id)], deps.log)
  await afterCommit()
}
