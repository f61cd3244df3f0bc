import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { Clock } from '../../shared/clock.js'
import { type AccountInput, insertAccount, prepareAccount } from './create-account.js'
import type { User } from './user.js'

/** How an operator makes the first admin (`travellr admin create`); no API route can make one. */
export async function createAdmin(
  deps: { db: Kysely<DB>; clock: Clock; passwords: PasswordHasher; isCommonPassword: (p: string) => boolean },
  input: AccountInput,
): Promise<User> {
  const account = await prepareAccount(deps, input)
  const now = deps.clock.now()
  return inTransaction(deps.db, (trx) => insertAccount(trx, account, 'admin', now))
}
