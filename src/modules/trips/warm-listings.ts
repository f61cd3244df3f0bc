import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import { searchTrips } from './search-trips.js'
import { tripRepository } from './trip-repository.js'

/** The first page a listing shows without a `limit` (pagination's default), plus the look-ahead row. */
const FIRST_PAGE = 20 + 1

/**
 * Scheduled: loads into the cache the listings most people open — the catalogue's first page and the
 * first page of each most-booked location — with the same keys the search route uses, so the first
 * visitor after a write does not pay for the query. Returns how many listings it loaded or found warm.
 */
export async function warmListings(
  deps: { db: Kysely<DB>; cache: Cache; clock: Clock; log?: { warn(obj: object, msg: string): void } },
  locations = 5,
): Promise<number> {
  const now = deps.clock.now().toISOString()
  const popular = await tripRepository.popularLocations(deps.db, now, locations)
  const filters = [{ limit: FIRST_PAGE }, ...popular.map((location) => ({ location, limit: FIRST_PAGE }))]
  for (const filter of filters) await searchTrips(deps, filter)
  return filters.length
}
