import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { AddressLimits } from '../../platform/security/throttle.js'
import type { TokenSigner } from '../../platform/security/tokens.js'
import type { Clock } from '../../shared/clock.js'
import { type AccountInput, insertAccount, prepareAccount } from '../users/index.js'
import { accessTokenFor, openSession, type SignedIn } from './open-session.js'

/** A traveller opens an account and is signed in. */
export async function registerUser(
  deps: {
    db: Kysely<DB>
    clock: Clock
    passwords: PasswordHasher
    tokens: TokenSigner
    cache: Cache
    isCommonPassword: (p: string) => boolean
    refreshTokenDays: number
    addressLimits: AddressLimits
  },
  input: AccountInput & { ip: string },
): Promise<SignedIn> {
  // Counted before anything is checked: a script opening accounts is slowed whatever it sends.
  await deps.addressLimits.register(input.ip)
  const account = await prepareAccount(deps, input)
  const now = deps.clock.now()
  const { user, session } = await inTransaction(deps.db, async (trx) => {
    const user = await insertAccount(trx, account, 'traveler', now)
    const session = await openSession(trx, user, now, deps.refreshTokenDays)
    return { user, session }
  })
  const access = await accessTokenFor(
    deps,
    { userId: user.id, role: user.role, sessionId: session.sessionId },
    now,
  )
  return { user, ...access, refreshToken: session.refreshToken }
}
