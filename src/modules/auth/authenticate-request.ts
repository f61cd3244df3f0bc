import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { TokenSigner } from '../../platform/security/tokens.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { bearerToken, revokedSessionKey } from './auth.js'
import { TokenInvalidError, TokenMissingError } from './auth-errors.js'
import { sessionRepository } from './session-repository.js'

/** Verifies the bearer token and that its session is not revoked (denylist; the database if the cache is down). */
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
  let revoked: boolean
  try {
    revoked = (await deps.cache.get<number>(revokedSessionKey(actor.sessionId))) !== undefined
  } catch (err) {
    deps.log?.warn({ err }, 'denylist unavailable; checking the session in the database')
    revoked = !(await sessionRepository.isActive(deps.db, actor.sessionId))
  }
  if (revoked) throw new TokenInvalidError()
  return actor
}
