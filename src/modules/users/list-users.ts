import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor, Role } from '../../shared/actor.js'
import type { User } from './user.js'
import { UserNotFoundError } from './user-errors.js'
import { userRepository } from './user-repository.js'

/** Admin: users newest first, filtered; fetches limit+1 so the caller knows whether a page follows. */
export async function listUsers(
  deps: { db: Kysely<DB> },
  actor: Actor,
  filter: {
    role?: Role
    status?: User['status']
    q?: string
    from?: string
    to?: string
    beforeId?: string
    limit: number
  },
): Promise<User[]> {
  if (actor.role !== 'admin') throw new UserNotFoundError(actor.userId)
  return userRepository.list(deps.db, { ...filter, limit: filter.limit + 1 })
}
