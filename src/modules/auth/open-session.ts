import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { newRefreshToken, type TokenSigner } from '../../platform/security/tokens.js'
import type { Actor } from '../../shared/actor.js'
import { newId } from '../../shared/ids.js'
import type { User } from '../users/index.js'
import { sessionExpiry } from './auth.js'
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

export async function accessTokenFor(tokens: TokenSigner, actor: Actor, now: Date) {
  const access = await tokens.issue(actor, now)
  return { accessToken: access.token, expiresIn: access.expiresIn }
}
