import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { newRefreshToken, type TokenSigner } from '../../platform/security/tokens.js'
import type { Actor } from '../../shared/actor.js'
import { newId } from '../../shared/ids.js'
import type { User } from '../users/index.js'
import { LIVE_SESSION_SECONDS, liveSessionKey, sessionExpiry } from './auth.js'
import { sessionRepository } from './session-repository.js'

export interface TokenPair {
  accessToken: string
  expiresIn: number
  refreshToken: string
}

export interface SignedIn extends TokenPair {
  user: User
}

/** Starts a session (a refresh-token family) inside the caller's transaction. */
export async function openSession(
  trx: Kysely<DB>,
  user: Pick<User, 'id'>,
  now: Date,
  refreshTokenDays: number,
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = newId('ses', now.getTime())
  const expiresAt = sessionExpiry(now, refreshTokenDays)
  await sessionRepository.create(trx, { id: sessionId, userId: user.id, now, expiresAt })
  const refresh = newRefreshToken()
  await sessionRepository.addRefreshToken(trx, { hash: refresh.hash, sessionId, now, expiresAt })
  return { sessionId, refreshToken: refresh.token }
}

/**
 * An access token for a session just opened or refreshed; the session is remembered as live, so the
 * token's first requests need not ask the database (see authenticate).
 */
export async function accessTokenFor(
  deps: { tokens: TokenSigner; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  now: Date,
) {
  const access = await deps.tokens.issue(actor, now)
  try {
    await deps.cache.set(liveSessionKey(actor.sessionId), 1, LIVE_SESSION_SECONDS)
  } catch (err) {
    deps.log?.warn({ err }, 'could not remember a live session')
  }
  return { accessToken: access.token, expiresIn: access.expiresIn }
}
