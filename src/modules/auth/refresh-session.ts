import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import { hashToken, newRefreshToken, type TokenSigner } from '../../platform/security/tokens.js'
import type { Clock } from '../../shared/clock.js'
import { userRepository } from '../users/index.js'
import { RefreshTokenInvalidError, RefreshTokenReusedError } from './auth-errors.js'
import { accessTokenFor, type SignedIn } from './open-session.js'
import { denySessions } from './revoke-sessions.js'
import { sessionRepository } from './session-repository.js'

type Outcome =
  | { kind: 'ok'; userId: string; sessionId: string; refreshToken: string }
  | { kind: 'invalid' }
  | { kind: 'reused'; sessionId: string }

/**
 * Rotation: each refresh token works once and is replaced by a new one of the same family.
 * A second use of a spent token means it leaked: the whole family is revoked.
 */
export async function refreshSession(
  deps: {
    db: Kysely<DB>
    clock: Clock
    cache: Cache
    tokens: TokenSigner
    accessTokenSeconds: number
    log?: { warn(obj: object, msg: string): void }
  },
  input: { refreshToken: string },
): Promise<SignedIn> {
  const now = deps.clock.now()
  const at = now.toISOString()
  const hash = hashToken(input.refreshToken)
  const outcome: Outcome = await inTransaction(deps.db, async (trx) => {
    const found = await sessionRepository.findRefreshToken(trx, hash)
    if (!found) return { kind: 'invalid' }
    if (found.sessionRevokedAt !== null || found.userStatus !== 'active') return { kind: 'invalid' }
    if (found.usedAt !== null || !(await sessionRepository.spendRefreshToken(trx, hash, now))) {
      await sessionRepository.revoke(trx, found.sessionId, 'refresh_token_reused', now)
      return { kind: 'reused', sessionId: found.sessionId }
    }
    if (found.expiresAt <= at || found.sessionExpiresAt <= at) return { kind: 'invalid' }
    const next = newRefreshToken()
    await sessionRepository.addRefreshToken(trx, {
      hash: next.hash,
      sessionId: found.sessionId,
      now,
      expiresAt: new Date(found.sessionExpiresAt),
    })
    return { kind: 'ok', userId: found.userId, sessionId: found.sessionId, refreshToken: next.token }
  })
  if (outcome.kind === 'reused') {
    await denySessions(deps, [outcome.sessionId])
    throw new RefreshTokenReusedError()
  }
  if (outcome.kind === 'invalid') throw new RefreshTokenInvalidError()
  // The role is read afresh: a vendor approved since the last sign-in gets it in the new token.
  const user = await userRepository.findById(deps.db, outcome.userId)
  if (!user) throw new RefreshTokenInvalidError()
  const access = await accessTokenFor(
    deps,
    { userId: user.id, role: user.role, sessionId: outcome.sessionId },
    now,
  )
  return { user, ...access, refreshToken: outcome.refreshToken }
}
