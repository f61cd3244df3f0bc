import type { Kysely } from 'kysely'
import { type Cache, readThrough } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import type { Trip } from './trip.js'
import { listingKey, TRIP_TTL_SECONDS } from './trip-cache.js'
import { type TripSearch, tripRepository } from './trip-repository.js'

/**
 * The catalogue. Listings are cached; a cached page is filtered again by departure time, so a trip
 * that has left since it was cached never shows.
 */
export async function searchTrips(
  deps: { db: Kysely<DB>; cache: Cache; clock: Clock; log?: { warn(obj: object, msg: string): void } },
  filter: Omit<TripSearch, 'now'>,
): Promise<Trip[]> {
  const now = deps.clock.now().toISOString()
  // `now` is not in the key (it would never hit); every trip write drops all listings, TTL bounds the rest.
  const key = listingKey(filter)
  const rows = await readThrough(
    deps.cache,
    key,
    TRIP_TTL_SECONDS,
    () => tripRepository.search(deps.db, { ...filter, now }),
    deps.log,
  )
  return (rows ?? []).filter((t) => t.startsAt > now)
}
