import { type Cache, invalidate } from '../../platform/cache/cache.js'

export const TRIP_TTL_SECONDS = 3600
export const tripKey = (id: string) => `trip:${id}`
export const listingKey = (query: object) => `trips:list:${JSON.stringify(query)}`

/** Every write to a trip drops its cached copy and all cached listings (they may show it). */
export async function forgetTrip(
  deps: { cache: Cache; log?: { warn(obj: object, msg: string): void } },
  id: string,
): Promise<void> {
  await invalidate(deps.cache, [tripKey(id)], deps.log)
  try {
    await deps.cache.deleteByPattern('trips:list:*')
  } catch (err) {
    deps.log?.warn({ err }, 'could not drop cached trip listings')
  }
}
