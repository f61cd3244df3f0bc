import { LRUCache } from 'lru-cache'
import { type Cache, globToRegExp } from './cache.js'

/** In-process LRU with per-entry TTL, for the embedded default and as a local fallback. */
export function createMemoryCache(options: { maxEntries?: number } = {}): Cache {
  // Stored as JSON text so callers never share (and mutate) one object, as with Redis.
  const lru = new LRUCache<string, string>({ max: options.maxEntries ?? 50_000, ttlAutopurge: false })
  const parse = <T>(raw: string | undefined): T | undefined =>
    raw === undefined ? undefined : (JSON.parse(raw) as T)

  return {
    kind: 'memory',
    async get<T>(key: string) {
      return parse<T>(lru.get(key))
    },
    async getMany<T>(keys: readonly string[]) {
      return keys.map((k) => parse<T>(lru.get(k)))
    },
    async set(key, value, ttlSeconds) {
      lru.set(key, JSON.stringify(value), { ttl: ttlSeconds * 1000 })
    },
    async setMany(entries, ttlSeconds) {
      for (const { key, value } of entries) lru.set(key, JSON.stringify(value), { ttl: ttlSeconds * 1000 })
    },
    async delete(...keys) {
      for (const k of keys) lru.delete(k)
    },
    async deleteByPattern(pattern) {
      const re = globToRegExp(pattern)
      let removed = 0
      for (const k of [...lru.keys()]) {
        if (re.test(k) && lru.delete(k)) removed++
      }
      return removed
    },
    async increment(key, ttlSeconds) {
      const current = lru.get(key)
      if (current === undefined) {
        lru.set(key, '1', { ttl: ttlSeconds * 1000 })
        return 1
      }
      const next = Number(current) + 1
      // Keep the window's original expiry: only the count changes.
      lru.set(key, String(next), { ttl: lru.getRemainingTTL(key), noUpdateTTL: true })
      return next
    },
    async ping() {},
    async close() {
      lru.clear()
    },
  }
}
