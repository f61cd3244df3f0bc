import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { insertServiceAccount, normalizeEmail } from '../users/index.js'
import type { Reseller } from './reseller.js'
import { ResellerAdminOnlyError } from './reseller-errors.js'
import { resellerRepository } from './reseller-repository.js'

export const DEFAULT_RESELLER_HELD_SEATS = 100

/** An admin registers a reseller: its record and the account its bookings will belong to, on record. */
export async function registerReseller(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  input: { name: string; contactEmail: string; maxHeldSeats?: number },
): Promise<Reseller> {
  if (actor.role !== 'admin') throw new ResellerAdminOnlyError()
  const now = deps.clock.now()
  const at = now.toISOString()
  return inTransaction(deps.db, async (trx) => {
    const account = await insertServiceAccount(trx, { name: input.name.trim(), role: 'reseller' }, now)
    const reseller: Reseller = {
      id: newId('rsl', now.getTime()),
      userId: account.id,
      name: input.name.trim(),
      contactEmail: normalizeEmail(input.contactEmail),
      maxHeldSeats: input.maxHeldSeats ?? DEFAULT_RESELLER_HELD_SEATS,
      status: 'active',
      createdAt: at,
      updatedAt: at,
    }
    await resellerRepository.insert(trx, reseller)
    await recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: 'reseller.register',
        targetType: 'reseller',
        targetId: reseller.id,
        after: reseller,
      },
      now,
    )
    return reseller
  })
}
