import { AppError } from '../../shared/errors.js'
import type { Cache } from '../cache/cache.js'
import { createMemoryCache } from '../cache/memory-cache.js'

interface Rule {
  key: string
  limit: number
  windowSeconds: number
}

interface Log {
  warn(obj: object, msg: string): void
}

/**
 * Failed-login throttle, shared across instances through the cache.
 * - per account+IP: 5 failures / 15 min (stops guessing from one place);
 * - per IP: 100 failures / 15 min (stops spraying many accounts);
 * - per account: 20 failures / 1 min, a short window, so nobody can lock another person out for long.
 * With the shared cache down it falls back to counting in this process.
 */
export function createLoginThrottle(cache: Cache, log?: Log) {
  const local = createMemoryCache({ maxEntries: 10_000 })
  const rules = (account: string, ip: string): Rule[] => [
    { key: `throttle:login:acct-ip:${account}:${ip}`, limit: 5, windowSeconds: 15 * 60 },
    { key: `throttle:login:ip:${ip}`, limit: 100, windowSeconds: 15 * 60 },
    { key: `throttle:login:acct:${account}`, limit: 20, windowSeconds: 60 },
  ]
  async function withFallback<T>(op: (c: Cache) => Promise<T>): Promise<T> {
    try {
      return await op(cache)
    } catch (err) {
      log?.warn({ err }, 'login throttle: shared cache unavailable, counting locally')
      return op(local)
    }
  }
  return {
    async check(account: string, ip: string): Promise<void> {
      const list = rules(account, ip)
      const counts = await withFallback((c) => c.getMany<number>(list.map((r) => r.key)))
      const hit = list.find((r, i) => (counts[i] ?? 0) >= r.limit)
      if (hit) {
        throw new AppError(
          'too_many_requests',
          'auth.throttled',
          'Too many failed sign-ins; wait and try again.',
          {
            retryAfter: hit.windowSeconds,
          },
        )
      }
    },
    async recordFailure(account: string, ip: string): Promise<void> {
      await withFallback(async (c) => {
        for (const r of rules(account, ip)) await c.increment(r.key, r.windowSeconds)
      })
    },
    async recordSuccess(account: string, ip: string): Promise<void> {
      await withFallback((c) => c.delete(rules(account, ip)[0]!.key))
    },
  }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>
