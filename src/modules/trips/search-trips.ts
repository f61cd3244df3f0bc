import type { Kysely } from 'kysely'
import { type Cache, readThrough } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import type { Trip } from './trip.js'
import { listingKey, TRIP_TTL_SECONDS } from './trip-cache.js'
import { type TripSearch, tripRepository } from './trip-repository.js'

/**
 * The catalogue. Listings are cached; a cached page is filtered again by departure time, so a trip
 * that has left since it was cached never shows. `now` is not in the key (it would never hit).
 */
export async function searchTrips(
  deps: { db: Kysely<DB>; cache: Cache; clock: Clock; log?: { warn(obj: object, msg: string): void } },
  filter: Omit<TripSearch, 'now'>,
): Promise<Trip[]> {
  const now = deps.clock.now().toISOString()
  const load = () => tripRepository.search(deps.db, { ...filter, now })
  let key: string
  try {
    key = await listingKey(deps.cache, filter)
  } catch (err) {
    deps.log?.warn({ err }, 'cache unavailable; searching the database')
    return (await load()).filter((t) => t.startsAt > now)
  }
  const rows = await readThrough(deps.cache, key, TRIP_TTL_SECONDS, load, deps.log)
  return (rows ?? []).filter((t) => t.startsAt > now)
}
