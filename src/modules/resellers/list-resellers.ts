import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Reseller } from './reseller.js'
import { ResellerAdminOnlyError } from './reseller-errors.js'
import { resellerRepository } from './reseller-repository.js'

/** Resellers a vendor can open its catalogue to (active ones), or all of them for an admin. */
export async function listResellers(
  deps: { db: Kysely<DB> },
  actor: Actor,
  page: { afterId?: string; limit: number },
): Promise<Reseller[]> {
  if (actor.role !== 'admin' && actor.role !== 'vendor') throw new ResellerAdminOnlyError()
  return resellerRepository.list(deps.db, { ...page, activeOnly: actor.role !== 'admin' })
}
