import type { Kysely } from 'kysely'
import { type Cache, invalidate } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { profileKey } from './get-user.js'
import {
  canManageUser,
  needsCurrentPassword,
  normalizeEmail,
  type ProfileChange,
  passwordProblem,
  type User,
} from './user.js'
import { CurrentPasswordRequiredError, UserNotFoundError, WeakPasswordError } from './user-errors.js'
import { userRepository } from './user-repository.js'

/** Revokes a user's sessions in the transaction; the returned function runs after commit. */
export type RevokeSessions = (
  trx: Kysely<DB>,
  userId: string,
  reason: string,
  now: Date,
) => Promise<() => Promise<void>>

export async function updateUser(
  deps: {
    db: Kysely<DB>
    cache: Cache
    clock: Clock
    passwords: PasswordHasher
    isCommonPassword: (p: string) => boolean
    revokeSessions: RevokeSessions
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  id: string,
  change: ProfileChange,
): Promise<User> {
  if (!canManageUser(actor, id)) throw new UserNotFoundError(id)
  const current = await userRepository.findById(deps.db, id)
  if (!current || current.status === 'deleted') throw new UserNotFoundError(id)

  if (needsCurrentPassword(actor, id, change)) {
    if (change.currentPassword === undefined) throw new CurrentPasswordRequiredError(false)
    const hash = await userRepository.passwordHashOf(deps.db, id)
    if (!hash || !(await deps.passwords.verify(hash, change.currentPassword)))
      throw new CurrentPasswordRequiredError(true)
  }
  const email = change.email === undefined ? undefined : normalizeEmail(change.email)
  let passwordHash: string | undefined
  if (change.password !== undefined) {
    const problem = passwordProblem(
      change.password,
      deps.isCommonPassword,
      email ?? current.email ?? undefined,
    )
    if (problem) throw new WeakPasswordError(problem)
    passwordHash = await deps.passwords.hash(change.password)
  }

  const now = deps.clock.now()
  const afterCommit = await inTransaction(deps.db, async (trx) => {
    await userRepository.update(
      trx,
      id,
      { name: change.name?.trim(), phone: change.phone, language: change.language, email, passwordHash },
      now,
    )
    // A new password (or sign-in email) ends every existing session, the caller's included.
    if (passwordHash !== undefined || (email !== undefined && email !== current.email)) {
      return deps.revokeSessions(
        trx,
        id,
        passwordHash !== undefined ? 'password_changed' : 'email_changed',
        now,
      )
    }
    return undefined
  })
  await invalidate(deps.cache, [profileKey(id)], deps.log)
  await afterCommit?.()
  const updated = await userRepository.findById(deps.db, id)
  if (!updated) throw new UserNotFoundError(id)
  return updated
}
