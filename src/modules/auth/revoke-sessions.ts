import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { revokedSessionKey } from './auth.js'
import { sessionRepository } from './session-repository.js'

interface DenyDeps {
  cache: Cache
  accessTokenSeconds: number
  log?: { warn(obj: object, msg: string): void }
}

/**
 * Puts sessions on the shared denylist, so their access tokens stop at once on every instance.
 * The database already says they are revoked; if the cache is down, requests ask the database.
 */
export async function denySessions(deps: DenyDeps, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return
  try {
    await deps.cache.setMany(
      sessionIds.map((id) => ({ key: revokedSessionKey(id), value: 1 })),
      deps.accessTokenSeconds,
    )
  } catch (err) {
    deps.log?.warn(
      { err, sessionIds },
      'could not write the token denylist; sessions are revoked in the database',
    )
  }
}

export async function logOut(deps: DenyDeps & { db: Kysely<DB>; clock: Clock }, actor: Actor): Promise<void> {
  await sessionRepository.revoke(deps.db, actor.sessionId, 'logout', deps.clock.now())
  await denySessions(deps, [actor.sessionId])
}

/**
 * Revokes every session of a user inside the caller's transaction; returns a function to run after
 * commit that puts them on the denylist (a rolled-back change must not sign anybody out).
 */
export async function revokeUserSessions(
  deps: DenyDeps,
  trx: Kysely<DB>,
  userId: string,
  reason: string,
  now: Date,
): Promise<() => Promise<void>> {
  const ids = await sessionRepository.revokeAllOfUser(trx, userId, reason, now)
  return () => denySessions(deps, ids)
}

/**
 * Puts every session revoked within an access token's lifetime back on the denylist. Run when the
 * shared cache becomes reachable again: a logout during a cache outage revoked its session in the
 * database, but its denylist entry could not be written then.
 */
export async function republishRevocations(
  deps: DenyDeps & { db: Kysely<DB>; clock: Clock },
): Promise<number> {
  const since = new Date(deps.clock.now().getTime() - deps.accessTokenSeconds * 1000)
  const ids = await sessionRepository.revokedSince(deps.db, since)
  await denySessions(deps, ids)
  return ids.length
}
