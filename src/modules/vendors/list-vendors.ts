import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { AppError } from '../../shared/errors.js'
import type { Vendor, VendorStatus } from './vendor.js'
import { vendorRepository } from './vendor-repository.js'

export async function listVendors(
  deps: { db: Kysely<DB> },
  actor: Actor,
  filter: { status?: VendorStatus; q?: string; afterId?: string; limit: number },
): Promise<Vendor[]> {
  if (actor.role !== 'admin') throw new AppError('not_found', 'route.not_found', 'Not found.')
  return vendorRepository.list(deps.db, { ...filter, limit: filter.limit + 1 })
}
