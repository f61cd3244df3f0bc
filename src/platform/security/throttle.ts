import { AppError } from '../../shared/errors.js'
import type { Cache } from '../cache/cache.js'
import { createMemoryCache } from '../cache/memory-cache.js'

interface Log {
  warn(obj: object, msg: string): void
}

interface Rule {
  key: string
  limit: number
  windowSeconds: number
}

const tooMany = (code: string, detail: string, retryAfter: number) =>
  new AppError('too_many_requests', code, detail, { retryAfter })

/**
 * Fixed-window counters shared across instances through the cache; with the shared cache down they
 * are counted in this process (each instance then limits on its own, which still limits).
 */
function createCounters(cache: Cache, log?: Log) {
  const local = createMemoryCache({ maxEntries: 10_000 })
  async function withFallback<T>(op: (c: Cache) => Promise<T>): Promise<T> {
    try {
      return await op(cache)
    } catch (err) {
      log?.warn({ err }, 'throttle: shared cache unavailable, counting locally')
      return op(local)
    }
  }
  return {
    read: (keys: string[]) => withFallback((c) => c.getMany<number>(keys)),
    add: (rule: Rule, by = 1) => withFallback((c) => c.increment(rule.key, rule.windowSeconds, by)),
    remember: (key: string, ttlSeconds: number) => withFallback((c) => c.set(key, 1, ttlSeconds)),
    forget: (key: string) => withFallback((c) => c.delete(key)),
  }
}

const KNOWN_CONTEXT_SECONDS = 90 * 86_400

/** What the throttle says before a sign-in's password is checked. */
export interface LoginGate {
  /** A soft limit is reached: only a correct password from a known context may pass. */
  limited: boolean
  /** This account has signed in from this address before (within 90 days). */
  known: boolean
}

/**
 * Failed-login throttle (docs/security.md). An attacker's failures slow the attacker, not the owner:
 * - per account + address: 5 failures / 15 min, hard: nobody guesses one account from one place;
 * - per address: 50 failures / 5 min, and per account: 10 failures / 1 min, soft: while either is
 *   reached, a sign-in from an address the account has used before (a known context) still passes
 *   with the right password; any other answers 429 without the password being checked.
 */
export function createLoginThrottle(cache: Cache, log?: Log) {
  const counters = createCounters(cache, log)
  const pair = (account: string, ip: string): Rule => ({
    key: `throttle:login:acct-ip:${account}:${ip}`,
    limit: 5,
    windowSeconds: 15 * 60,
  })
  const soft = (account: string, ip: string): Rule[] => [
    { key: `throttle:login:ip:${ip}`, limit: 50, windowSeconds: 5 * 60 },
    { key: `throttle:login:acct:${account}`, limit: 10, windowSeconds: 60 },
  ]
  const knownKey = (account: string, ip: string) => `login:known:${account}:${ip}`
  const throttled = (rule: Rule) =>
    tooMany('auth.throttled', 'Too many failed sign-ins; wait and try again.', rule.windowSeconds)
  return {
    /** Throws 429 when the hard limit is reached; otherwise says whether a soft one is. */
    async check(account: string, ip: string): Promise<LoginGate> {
      const rules = [pair(account, ip), ...soft(account, ip)]
      const [pairCount, ...rest] = await counters.read([...rules.map((r) => r.key), knownKey(account, ip)])
      if ((pairCount ?? 0) >= rules[0]!.limit) throw throttled(rules[0]!)
      const known = rest.pop() !== undefined
      const limited = rules.slice(1).some((r, i) => (rest[i] ?? 0) >= r.limit)
      return { limited, known }
    },
    /** The 429 a limited sign-in gets (after a wrong password, or from an unknown context). */
    refusal(account: string, ip: string): AppError {
      return throttled(soft(account, ip)[1]!)
    },
    async recordFailure(account: string, ip: string): Promise<void> {
      for (const r of [pair(account, ip), ...soft(account, ip)]) await counters.add(r)
    },
    async recordSuccess(account: string, ip: string): Promise<void> {
      await counters.forget(pair(account, ip).key)
      await counters.remember(knownKey(account, ip), KNOWN_CONTEXT_SECONDS)
    },
  }
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>

/**
 * Limits per client address on what costs the platform when abused (docs/security.md): new accounts
 * per hour, and seats held in the current hold window (each throwaway account could otherwise hold
 * its 10 seats and a script a trip's whole inventory).
 */
export function createAddressLimits(
  cache: Cache,
  limits: { registrationsPerHour: number; heldSeats: number; holdMinutes: number },
  log?: Log,
) {
  const counters = createCounters(cache, log)
  const registrations = (ip: string): Rule => ({
    key: `throttle:register:ip:${ip}`,
    limit: limits.registrationsPerHour,
    windowSeconds: 3600,
  })
  const holds = (ip: string): Rule => ({
    key: `throttle:holds:ip:${ip}`,
    limit: limits.heldSeats,
    windowSeconds: limits.holdMinutes * 60,
  })
  return {
    /** Counts a sign-up from this address; 429 once the hour's allowance is used. */
    async register(ip: string): Promise<void> {
      const rule = registrations(ip)
      const [count] = await counters.read([rule.key])
      if ((count ?? 0) >= rule.limit)
        throw tooMany(
          'auth.registration_throttled',
          'Too many new accounts from this address; try again later.',
          rule.windowSeconds,
        )
      await counters.add(rule)
    },
    /** Checks that `seats` more may be held from this address in this hold window (429 if not). */
    async checkHold(ip: string, seats: number): Promise<void> {
      const rule = holds(ip)
      const [count] = await counters.read([rule.key])
      if ((count ?? 0) + seats > rule.limit)
        throw tooMany(
          'booking.address_hold_limit',
          `At most ${rule.limit} seats may be held from one address within ${limits.holdMinutes} minutes.`,
          rule.windowSeconds,
        )
    },
    /** Counts seats taken into holds from this address. */
    async recordHold(ip: string, seats: number): Promise<void> {
      await counters.add(holds(ip), seats)
    },
  }
}

export type AddressLimits = ReturnType<typeof createAddressLimits>
