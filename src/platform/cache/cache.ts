/**
 * The cache port. Values are JSON. Two adapters (in-memory and Redis) pass one contract suite.
 * The cache is never the source of truth: a failing cache throws CacheUnavailableError and callers
 * fall back to the database (see `readThrough`).
 */
export interface Cache {
  readonly kind: 'memory' | 'redis'
  get<T>(key: string): Promise<T | undefined>
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>
  setMany(entries: readonly { key: string; value: unknown }[], ttlSeconds: number): Promise<void>
  delete(...keys: string[]): Promise<void>
  /** Glob with `*` (any run of characters); Redis walks keys with SCAN, never KEYS. */
  deleteByPattern(pattern: string): Promise<number>
  /** Adds `by` (1 by default) and returns the new count; the TTL starts with the first increment (a fixed window). */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>
  ping(): Promise<void>
  close(): Promise<void>
  /** Called each time a shared cache becomes reachable (again); the in-memory cache never calls it. */
  onReady(listener: () => void): void
}

export class CacheUnavailableError extends Error {
  constructor(cause: unknown) {
    super('cache unavailable', { cause })
    this.name = 'CacheUnavailableError'
  }
}

interface Warn {
  warn(obj: object, msg: string): void
}

/** Cached read that survives a dead cache: a cache failure is logged and the loader answers. */
export async function readThrough<T>(
  cache: Cache,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T | undefined>,
  log?: Warn,
): Promise<T | undefined> {
  try {
    const hit = await cache.get<T>(key)
    if (hit !== undefined) return hit
  } catch (err) {
    log?.warn({ err, key }, 'cache read failed; reading the database')
  }
  const value = await load()
  if (value !== undefined) {
    try {
      await cache.set(key, value, ttlSeconds)
    } catch (err) {
      log?.warn({ err, key }, 'cache write failed')
    }
  }
  return value
}

/** Invalidation that never fails a write that already committed; a dead cache is logged. */
export async function invalidate(cache: Cache, keys: string[], log?: Warn): Promise<void> {
  try {
    await cache.delete(...keys)
  } catch (err) {
    log?.warn({ err, keys }, 'cache invalidation failed')
  }
}

export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`)
}
