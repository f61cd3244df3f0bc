import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { type Vendor, visibility } from './vendor.js'
import { VendorNotFoundError } from './vendor-errors.js'
import { vendorRepository } from './vendor-repository.js'

/** Owners and admins change the profile; status and commission are not fields of this change at all. */
export async function updateVendor(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  id: string,
  change: {
    businessName?: string
    phone?: string
    payoutAccount?: string | null
    payoutSchedule?: 'weekly' | 'monthly'
  },
): Promise<Vendor> {
  const vendor = await vendorRepository.findById(deps.db, id)
  if (!vendor || visibility(actor, vendor) !== 'full') throw new VendorNotFoundError(id)
  await vendorRepository.update(
    deps.db,
    id,
    { ...change, businessName: change.businessName?.trim() },
    deps.clock.now(),
  )
  return (await vendorRepository.findById(deps.db, id))!
}
