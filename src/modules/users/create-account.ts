import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { addEvent } from '../../platform/outbox.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { Role } from '../../shared/actor.js'
import { newId } from '../../shared/ids.js'
import { normalizeEmail, passwordProblem, type User } from './user.js'
import { WeakPasswordError } from './user-errors.js'
import { userRepository } from './user-repository.js'

export interface AccountInput {
  email: string
  password: string
  name: string
  phone?: string | null
  language?: string | null
}

export interface PreparedAccount {
  email: string
  name: string
  phone: string | null
  language: string | null
  passwordHash: string
}

/**
 * Checks the password and hashes it. Hashing is slow by design, so it happens before any
 * transaction opens and no lock is held meanwhile.
 */
export async function prepareAccount(
  deps: { passwords: PasswordHasher; isCommonPassword: (p: string) => boolean },
  input: AccountInput,
): Promise<PreparedAccount> {
  const email = normalizeEmail(input.email)
  const problem = passwordProblem(input.password, deps.isCommonPassword, email)
  if (problem) throw new WeakPasswordError(problem)
  return {
    email,
    name: input.name.trim(),
    phone: input.phone ?? null,
    language: input.language ?? null,
    passwordHash: await deps.passwords.hash(input.password),
  }
}

/** Inserts the user and its `user.registered` event in the caller's transaction. */
export async function insertAccount(
  trx: Kysely<DB>,
  account: PreparedAccount,
  role: Role,
  now: Date,
): Promise<User> {
  const user = await userRepository.insert(trx, { id: newId('usr', now.getTime()), ...account, role, now })
  await addEvent(
    trx,
    { type: 'user.registered', aggregateId: user.id, payload: { user_id: user.id, role } },
    now,
  )
  return user
}

/**
 * An account that acts only through another credential (a reseller's API key): no email, no password,
 * so it can never sign in, and no mail is ever addressed to it. In the caller's transaction.
 */
export async function insertServiceAccount(
  trx: Kysely<DB>,
  input: { name: string; role: 'reseller' },
  now: Date,
): Promise<User> {
  return userRepository.insert(trx, {
    id: newId('usr', now.getTime()),
    email: null,
    name: input.name,
    phone: null,
    language: null,
    passwordHash: null,
    role: input.role,
    now,
  })
}
