import { LRUCache } from 'lru-cache'
import { type Cache, globToRegExp } from './cache.js'

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Any JSON value but null: what the LRU holds. */
type Stored = NonNullable<unknown>

/** What Redis would give back: a JSON round trip (dates become strings), here frozen and shared. */
function stored(value: unknown): { value: Stored; size: number } {
  const json = JSON.stringify(value)
  return { value: deepFreeze(JSON.parse(json)) as Stored, size: Math.max(1, json.length) }
}

/**
 * In-process LRU with per-entry TTL, for the embedded default and as a local fallback. Values are
 * kept as frozen JSON-shaped objects: a hit costs no parsing, and no caller can change what others read.
 * Bounded by entries and by size (the JSON length of what it holds, 16 MiB unless told): clients asking
 * ever-new questions (search terms, dates) push out the oldest answers, they do not grow the process.
 */
export function createMemoryCache(options: { maxEntries?: number; maxBytes?: number } = {}): Cache {
  const lru = new LRUCache<string, Stored>({
    max: options.maxEntries ?? 50_000,
    maxSize: options.maxBytes ?? 16 * 1024 * 1024,
    ttlAutopurge: false,
  })
  const put = (key: string, value: unknown, ttlSeconds: number) => {
    const { value: frozen, size } = stored(value)
    lru.set(key, frozen, { ttl: ttlSeconds * 1000, size })
  }
  const parse = <T>(raw: Stored | undefined): T | undefined => raw as T | undefined

  return {
    kind: 'memory',
    async get<T>(key: string) {
      return parse<T>(lru.get(key))
    },
    async getMany<T>(keys: readonly string[]) {
      return keys.map((k) => parse<T>(lru.get(k)))
    },
    async set(key, value, ttlSeconds) {
      put(key, value, ttlSeconds)
    },
    async setMany(entries, ttlSeconds) {
      for (const { key, value } of entries) put(key, value, ttlSeconds)
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
    async increment(key, ttlSeconds, by = 1) {
      const current = lru.get(key)
      if (current === undefined) {
        lru.set(key, by, { ttl: ttlSeconds * 1000, size: 8 })
        return by
      }
      const next = Number(current) + by
      // Keep the window's original expiry: only the count changes.
      lru.set(key, next, { ttl: lru.getRemainingTTL(key), noUpdateTTL: true, size: 8 })
      return next
    },
    async ping() {},
    onReady() {},
    async close() {
      lru.clear()
    },
  }
}
