import { createRequire } from 'node:module'
import type { Redis as RedisClient } from 'ioredis'
import { type Cache, CacheUnavailableError } from './cache.js'

interface Log {
  warn(obj: object, msg: string): void
}

const BREAK_MS = 1000

/**
 * Redis adapter. Commands fail fast when Redis is away (no offline queue, a short command timeout),
 * so a stopped Redis costs a request milliseconds, not a hang, and callers fall back to the database.
 */
export function createRedisCache(url: string, prefix: string, log?: Log): Cache {
  // Loaded here, not at import: the embedded default (no REDIS_URL) never carries the client.
  const { Redis } = createRequire(import.meta.url)('ioredis') as { Redis: typeof RedisClient }
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  })
  let warned = false
  redis.on('error', (err) => {
    if (!warned) log?.warn({ err }, 'Redis connection error')
    warned = true
  })
  const readyListeners: (() => void)[] = []
  redis.on('ready', () => {
    warned = false
    for (const listener of readyListeners) listener()
  })
  redis.connect().catch(() => {
    // The retry strategy keeps reconnecting; calls fail fast until it is back.
  })

  const k = (key: string) => prefix + key
  // A breaker: after a failed or timed-out command, calls fail at once for a moment instead of each
  // waiting out the command timeout, so a frozen Redis costs a request nothing, not 500 ms per use.
  // The first call after the pause tries Redis again (and ping always does).
  let openUntil = 0
  async function run<T>(op: () => Promise<T>, probe = false): Promise<T> {
    if (!probe && Date.now() < openUntil) throw new CacheUnavailableError(new Error('Redis is unavailable'))
    try {
      const result = await op()
      openUntil = 0
      return result
    } catch (err) {
      openUntil = Date.now() + BREAK_MS
      throw new CacheUnavailableError(err)
    }
  }
  const parse = <T>(raw: string | null): T | undefined => (raw === null ? undefined : (JSON.parse(raw) as T))

  return {
    kind: 'redis',
    get: <T>(key: string) => run(async () => parse<T>(await redis.get(k(key)))),
    getMany: <T>(keys: readonly string[]) =>
      run(async () => (keys.length === 0 ? [] : (await redis.mget(keys.map(k))).map((v) => parse<T>(v)))),
    set: (key, value, ttlSeconds) =>
      run(async () => {
        await redis.set(k(key), JSON.stringify(value), 'EX', ttlSeconds)
      }),
    setMany: (entries, ttlSeconds) =>
      run(async () => {
        if (entries.length === 0) return
        const multi = redis.multi()
        for (const { key, value } of entries) multi.set(k(key), JSON.stringify(value), 'EX', ttlSeconds)
        await multi.exec()
      }),
    delete: (...keys) =>
      run(async () => {
        if (keys.length > 0) await redis.del(...keys.map(k))
      }),
    deleteByPattern: (pattern) =>
      run(async () => {
        let cursor = '0'
        let removed = 0
        do {
          const [next, found] = await redis.scan(cursor, 'MATCH', k(pattern), 'COUNT', 500)
          cursor = next
          if (found.length > 0) removed += await redis.unlink(...found)
        } while (cursor !== '0')
        return removed
      }),
    increment: (key, ttlSeconds, by = 1) =>
      run(async () => {
        const result = await redis.multi().incrby(k(key), by).expire(k(key), ttlSeconds, 'NX').exec()
        const [err, count] = result?.[0] ?? [new Error('empty MULTI reply'), 0]
        if (err) throw err
        return Number(count)
      }),
    ping: () =>
      run(async () => {
        await redis.ping()
      }, true),
    close: async () => {
      redis.disconnect()
    },
    onReady(listener) {
      readyListeners.push(listener)
    },
  }
}
