import { type Cache, invalidate } from '../../platform/cache/cache.js'

type Log = { warn(obj: object, msg: string): void }

export const TRIP_TTL_SECONDS = 3600
export const tripKey = (id: string) => `trip:${id}`

/**
 * Listings are keyed by a generation number: a write to any trip bumps it (one INCR), which retires
 * every cached listing at once without scanning for keys; the old entries age out by their TTL.
 */
const GENERATION_KEY = 'trips:list:generation'

export async function listingKey(cache: Cache, query: object): Promise<string> {
  const generation = (await cache.get<number>(GENERATION_KEY)) ?? 0
  return `trips:list:${generation}:${JSON.stringify(query)}`
}

/** Every write to a trip drops its cached copy and retires all cached listings (they may show it). */
export async function forgetTrip(deps: { cache: Cache; log?: Log }, id: string): Promise<void> {
  await invalidate(deps.cache, [tripKey(id)], deps.log)
  try {
    await deps.cache.increment(GENERATION_KEY, 7 * 24 * 3600)
  } catch (err) {
    deps.log?.warn({ err }, 'could not retire cached trip listings')
  }
}
