import type { Kysely } from 'kysely'
import { type Cache, readThrough } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { canManageUser, type User } from './user.js'
import { UserNotFoundError } from './user-errors.js'
import { userRepository } from './user-repository.js'

export const PROFILE_TTL_SECONDS = 3600
export const profileKey = (id: string) => `user:${id}`

export async function getUser(
  deps: { db: Kysely<DB>; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  id: string,
): Promise<User> {
  if (!canManageUser(actor, id)) throw new UserNotFoundError(id)
  const user = await readThrough(
    deps.cache,
    profileKey(id),
    PROFILE_TTL_SECONDS,
    () => userRepository.findById(deps.db, id),
    deps.log,
  )
  if (!user || (user.status === 'deleted' && actor.role !== 'admin')) throw new UserNotFoundError(id)
  return user
}
