import type { Kysely } from 'kysely'
import { type Cache, readThrough } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { VendorNotApprovedError, vendorRepository } from '../vendors/index.js'
import { canManageTrip, type Trip } from './trip.js'
import { TRIP_TTL_SECONDS, tripKey } from './trip-cache.js'
import { TripNotFoundError } from './trip-errors.js'
import { tripRepository } from './trip-repository.js'

export async function getTrip(
  deps: { db: Kysely<DB>; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  id: string,
): Promise<Trip> {
  const trip = await readThrough(
    deps.cache,
    tripKey(id),
    TRIP_TTL_SECONDS,
    () => tripRepository.findById(deps.db, id),
    deps.log,
  )
  if (!trip) throw new TripNotFoundError(id)
  return trip
}

/**
 * The trip if the actor may manage it (its vendor, or an admin); anyone else gets "not found". To
 * change a trip its vendor must be approved still (a suspended vendor may only cancel, which refunds).
 */
export async function manageableTrip(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  purpose: 'change' | 'cancel',
): Promise<Trip> {
  const trip = await tripRepository.findById(db, id)
  const own = actor.role === 'admin' ? undefined : await vendorRepository.findByUserId(db, actor.userId)
  if (!trip || !canManageTrip(actor, own?.id, trip)) throw new TripNotFoundError(id)
  if (purpose === 'change' && own && own.status !== 'approved') throw new VendorNotApprovedError(own.status)
  return trip
}
