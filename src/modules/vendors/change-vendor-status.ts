import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import { type Cache, invalidate } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import { addEvent } from '../../platform/outbox.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { profileKey, userRepository } from '../users/index.js'
import { canBecome, type Vendor, type VendorStatus } from './vendor.js'
import { VendorNotFoundError, VendorStatusError } from './vendor-errors.js'
import { vendorRepository } from './vendor-repository.js'

const EVENTS = { approved: 'vendor.approved', rejected: 'vendor.rejected' } as const

/**
 * Admin decisions on a vendor. Approval makes the account a vendor (the role shows in tokens
 * issued from then on); the event goes to the outbox in the same transaction (the mail follows it).
 */
export async function changeVendorStatus(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  id: string,
  to: Exclude<VendorStatus, 'pending'>,
  reason: string | null,
): Promise<Vendor> {
  if (actor.role !== 'admin') throw new VendorNotFoundError(id)
  const now = deps.clock.now()
  const changed = await inTransaction(deps.db, async (trx) => {
    const vendor = await vendorRepository.findById(trx, id)
    if (!vendor) throw new VendorNotFoundError(id)
    if (
      !canBecome(vendor.status, to) ||
      !(await vendorRepository.changeStatus(trx, id, vendor.status, to, reason, now))
    ) {
      throw new VendorStatusError(vendor.status, to)
    }
    if (to === 'approved') await userRepository.update(trx, vendor.userId, { role: 'vendor' }, now)
    await recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: `vendor.${to}`,
        targetType: 'vendor',
        targetId: id,
        before: { status: vendor.status },
        after: { status: to, reason },
      },
      now,
    )
    if (to === 'approved' || to === 'rejected') {
      await addEvent(
        trx,
        { type: EVENTS[to], aggregateId: id, payload: { vendor_id: id, user_id: vendor.userId, reason } },
        now,
      )
    }
    return { ...vendor, status: to, statusReason: reason, updatedAt: now.toISOString() }
  })
  await invalidate(deps.cache, [profileKey(changed.userId)], deps.log)
  return changed
}
