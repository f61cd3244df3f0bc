import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { type Vendor, visibility } from './vendor.js'
import { VendorNotFoundError } from './vendor-errors.js'
import { vendorRepository } from './vendor-repository.js'

export async function getVendor(
  deps: { db: Kysely<DB> },
  actor: Actor | undefined,
  id: string,
): Promise<{ vendor: Vendor; view: 'full' | 'public' }> {
  const vendor = await vendorRepository.findById(deps.db, id)
  const view = vendor ? visibility(actor, vendor) : 'none'
  if (!vendor || view === 'none') throw new VendorNotFoundError(id)
  return { vendor, view }
}
