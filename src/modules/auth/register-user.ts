import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { addEvent } from '../../platform/outbox.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { TokenSigner } from '../../platform/security/tokens.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { normalizeEmail, passwordProblem, userRepository, WeakPasswordError } from '../users/index.js'
import { accessTokenFor, openSession, type SignedIn } from './open-session.js'

export interface RegisterInput {
  email: string
  password: string
  name: string
  phone?: string | null
}

export async function registerUser(
  deps: {
    db: Kysely<DB>
    clock: Clock
    passwords: PasswordHasher
    tokens: TokenSigner
    isCommonPassword: (p: string) => boolean
    refreshTokenDays: number
  },
  input: RegisterInput,
): Promise<SignedIn> {
  const email = normalizeEmail(input.email)
  const problem = passwordProblem(input.password, deps.isCommonPassword, email)
  if (problem) throw new WeakPasswordError(problem)
  // Hashing is slow (by design): done before the transaction so no lock is held meanwhile.
  const passwordHash = await deps.passwords.hash(input.password)
  const now = deps.clock.now()
  const { user, session } = await deps.db.transaction().execute(async (trx) => {
    const user = await userRepository.insert(trx, {
      id: newId('usr', now.getTime()),
      email,
      name: input.name.trim(),
      phone: input.phone ?? null,
      passwordHash,
      role: 'traveler',
      now,
    })
    const session = await openSession(trx, user, now, deps.refreshTokenDays)
    await addEvent(trx, { type: 'user.registered', aggregateId: user.id, payload: { user_id: user.id } }, now)
    return { user, session }
  })
  const access = await accessTokenFor(
    deps.tokens,
    { userId: user.id, role: user.role, sessionId: session.sessionId },
    now,
  )
  return { user, ...access, refreshToken: session.refreshToken }
}
