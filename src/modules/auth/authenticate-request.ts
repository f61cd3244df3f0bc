import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { TokenSigner } from '../../platform/security/tokens.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { bearerToken, LIVE_SESSION_SECONDS, liveSessionKey, revokedSessionKey } from './auth.js'
import { TokenInvalidError, TokenMissingError } from './auth-errors.js'
import { sessionRepository } from './session-repository.js'

/**
 * Verifies the bearer token and that its session exists and is live: not on the denylist, and known
 * to the database (remembered for a few minutes); the database alone when the cache is down. A
 * well-signed token naming a made-up or revoked session fails even with an empty denylist.
 */
export async function authenticate(
  deps: {
    db: Kysely<DB>
    cache: Cache
    clock: Clock
    tokens: TokenSigner
    log?: { warn(obj: object, msg: string): void }
  },
  authorization: string | undefined,
): Promise<Actor> {
  const token = bearerToken(authorization)
  if (!token) throw new TokenMissingError()
  const actor = await deps.tokens.verify(token, deps.clock.now())
  if (!actor) throw new TokenInvalidError()
  let cached: (number | undefined)[]
  try {
    cached = await deps.cache.getMany<number>([
      revokedSessionKey(actor.sessionId),
      liveSessionKey(actor.sessionId),
    ])
  } catch (err) {
    deps.log?.warn({ err }, 'denylist unavailable; checking the session in the database')
    if (!(await sessionRepository.isActive(deps.db, actor.sessionId))) throw new TokenInvalidError()
    return actor
  }
  if (cached[0] !== undefined) throw new TokenInvalidError()
  if (cached[1] === undefined) {
    if (!(await sessionRepository.isActive(deps.db, actor.sessionId))) throw new TokenInvalidError()
    try {
      await deps.cache.set(liveSessionKey(actor.sessionId), 1, LIVE_SESSION_SECONDS)
    } catch (err) {
      deps.log?.warn({ err }, 'could not remember a live session')
    }
  }
  return actor
}
