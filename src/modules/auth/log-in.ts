import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { LoginThrottle } from '../../platform/security/throttle.js'
import type { TokenSigner } from '../../platform/security/tokens.js'
import type { Clock } from '../../shared/clock.js'
import { normalizeEmail, type User, userRepository } from '../users/index.js'
import { InvalidCredentialsError } from './auth-errors.js'
import { accessTokenFor, openSession, type SignedIn } from './open-session.js'

/**
 * One answer for an unknown email, a wrong password and a closed account, with the same work done
 * in each case. The throttle speaks first: a hard limit (this account from this address) refuses at
 * once; under a soft limit (the account or the address under attack) only the right password from an
 * address the account has used before gets through, and an unknown context is refused without its
 * password being checked.
 */
export async function logIn(
  deps: {
    db: Kysely<DB>
    clock: Clock
    passwords: PasswordHasher
    tokens: TokenSigner
    cache: Cache
    throttle: LoginThrottle
    refreshTokenDays: number
  },
  input: { email: string; password: string; ip: string },
  /** Extra condition on who may sign in here (e.g. vendor accounts only); failing it looks like a wrong password. */
  accept: (user: User) => Promise<boolean> = async () => true,
): Promise<SignedIn> {
  const email = normalizeEmail(input.email)
  const gate = await deps.throttle.check(email, input.ip)
  if (gate.limited && !gate.known) throw deps.throttle.refusal(email, input.ip)
  const found = await userRepository.findCredentials(deps.db, email)
  const ok =
    found?.passwordHash != null
      ? await deps.passwords.verify(found.passwordHash, input.password)
      : await deps.passwords.verifyNothing(input.password)
  const allowed = ok && found !== undefined && found.user.status === 'active' && (await accept(found.user))
  if (!allowed || !found) {
    await deps.throttle.recordFailure(email, input.ip)
    throw gate.limited ? deps.throttle.refusal(email, input.ip) : new InvalidCredentialsError()
  }
  await deps.throttle.recordSuccess(email, input.ip)
  const now = deps.clock.now()
  const user = found.user
  const session = await inTransaction(deps.db, (trx) => openSession(trx, user, now, deps.refreshTokenDays))
  const access = await accessTokenFor(
    deps,
    { userId: user.id, role: user.role, sessionId: session.sessionId },
    now,
  )
  return { user, ...access, refreshToken: session.refreshToken }
}
