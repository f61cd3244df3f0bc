import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import { isUniqueViolation } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import { newApiKey } from '../../platform/security/api-keys.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { VendorNotApprovedError, VendorNotFoundError, vendorRepository } from '../vendors/index.js'
import type { ResellerAccess } from './reseller.js'
import {
  ResellerAccessExistsError,
  ResellerAccessNotFoundError,
  ResellerNotActiveError,
  ResellerNotFoundError,
} from './reseller-errors.js'
import { resellerRepository } from './reseller-repository.js'

/** The vendor an actor may manage resellers of: its own, or any for an admin; others do not exist. */
async function managedVendor(db: Kysely<DB>, actor: Actor, vendorId: string) {
  const vendor = await vendorRepository.findById(db, vendorId)
  if (!vendor || (actor.role !== 'admin' && vendor.userId !== actor.userId))
    throw new VendorNotFoundError(vendorId)
  return vendor
}

/**
 * A vendor (or an admin) opens its catalogue to a reseller at a commission. The API key is made here
 * and returned once; only its hash is kept. One live access per vendor and reseller.
 */
export async function grantAccess(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  input: { vendorId: string; resellerId: string; commissionBps: number },
): Promise<{ access: ResellerAccess; key: string }> {
  const vendor = await managedVendor(deps.db, actor, input.vendorId)
  if (vendor.status !== 'approved') throw new VendorNotApprovedError(vendor.status)
  const reseller = await resellerRepository.findById(deps.db, input.resellerId)
  if (!reseller) throw new ResellerNotFoundError(input.resellerId)
  if (reseller.status !== 'active') throw new ResellerNotActiveError(reseller.id)
  const now = deps.clock.now()
  const { key, hash, hint } = newApiKey('trv_octo')
  const access: ResellerAccess = {
    id: newId('rak', now.getTime()),
    resellerId: reseller.id,
    vendorId: vendor.id,
    commissionBps: input.commissionBps,
    keyHint: hint,
    createdBy: actor.userId,
    createdAt: now.toISOString(),
    revokedAt: null,
    revokedBy: null,
  }
  try {
    await inTransaction(deps.db, async (trx) => {
      await resellerRepository.insertAccess(trx, access, hash)
      if (actor.role === 'admin')
        await recordAudit(
          trx,
          {
            actorId: actor.userId,
            action: 'reseller.grant',
            targetType: 'vendor',
            targetId: vendor.id,
            after: access,
          },
          now,
        )
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new ResellerAccessExistsError()
    throw err
  }
  return { access, key }
}

/** Revokes a reseller's access (and so its key) at once; revoking twice changes nothing. */
export async function revokeAccess(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  input: { vendorId: string; accessId: string },
): Promise<ResellerAccess> {
  await managedVendor(deps.db, actor, input.vendorId)
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const access = await resellerRepository.findAccess(trx, input.accessId)
    if (!access || access.vendorId !== input.vendorId) throw new ResellerAccessNotFoundError(input.accessId)
    if (!(await resellerRepository.revoke(trx, access.id, actor.userId, now))) return access
    if (actor.role === 'admin')
      await recordAudit(
        trx,
        {
          actorId: actor.userId,
          action: 'reseller.revoke',
          targetType: 'vendor',
          targetId: input.vendorId,
          before: access,
        },
        now,
      )
    return { ...access, revokedAt: now.toISOString(), revokedBy: actor.userId }
  })
}

/** The resellers a vendor's catalogue is open (or was) to. */
export async function listAccess(deps: { db: Kysely<DB> }, actor: Actor, vendorId: string) {
  await managedVendor(deps.db, actor, vendorId)
  return resellerRepository.accessOfVendor(deps.db, vendorId)
}
