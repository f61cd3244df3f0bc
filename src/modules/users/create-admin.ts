import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { normalizeEmail, passwordProblem, type User } from './user.js'
import { WeakPasswordError } from './user-errors.js'
import { userRepository } from './user-repository.js'

/** How an operator makes the first admin (`travellr admin create`); no API route can make one. */
export async function createAdmin(
  deps: { db: Kysely<DB>; clock: Clock; passwords: PasswordHasher; isCommonPassword: (p: string) => boolean },
  input: { email: string; password: string; name: string },
): Promise<User> {
  const email = normalizeEmail(input.email)
  const problem = passwordProblem(input.password, deps.isCommonPassword, email)
  if (problem) throw new WeakPasswordError(problem)
  const passwordHash = await deps.passwords.hash(input.password)
  const now = deps.clock.now()
  return userRepository.insert(deps.db, {
    id: newId('usr', now.getTime()),
    email,
    name: input.name,
    phone: null,
    passwordHash,
    role: 'admin',
    now,
  })
}
