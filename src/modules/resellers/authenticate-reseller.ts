import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { hashApiKey } from '../../platform/security/api-keys.js'
import type { ResellerActor } from './reseller.js'
import { ResellerKeyError } from './reseller-errors.js'
import { resellerRepository } from './reseller-repository.js'

/** The reseller behind `Authorization: Bearer <key>`; a missing, unknown or revoked key is refused. */
export async function authenticateReseller(
  deps: { db: Kysely<DB> },
  authorization: string | undefined,
): Promise<ResellerActor> {
  const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(authorization ?? '')
  if (!match) throw new ResellerKeyError(true)
  const actor = await resellerRepository.actorByKeyHash(deps.db, hashApiKey(match[1]!))
  if (!actor) throw new ResellerKeyError(false)
  return actor
}
