import type { Kysely } from 'kysely'
import { type Cache, readThrough } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { ValidationError } from '../../shared/errors.js'
import { AdminRequiredError } from './admin-errors.js'
import { analyticsRepository, type Interval } from './analytics-repository.js'

export interface CurrencyFigures {
  currency: string
  bookings: { made: number; byStatus: Record<string, number> }
  grossBookingValue: number
  captured: number
  refunded: number
  platformRevenue: number
  vendorShare: number
  payoutsPaid: number
  owedToVendors: number
  occupancy: { seatsSold: number; capacity: number; rate: number | null }
  cancellationRate: number | null
  topVendors: { id: string; name: string; kept: number }[]
  topTrips: { id: string; name: string; kept: number }[]
  series: { bucket: string; bookings: number; captured: number; refunded: number; platformRevenue: number }[]
  /** Sales per channel: direct, or resellers through OCTO. */
  byChannel: { channel: string; bookings: number; grossBookingValue: number; captured: number }[]
}

export interface Analytics {
  from: string
  to: string
  interval: Interval
  currencies: CurrencyFigures[]
}

const CACHE_SECONDS = 60
const MAX_BUCKETS = 400

/**
 * Admin analytics over [from, to): every sum is made by the database, per currency (never mixed), with
 * UTC buckets. Platform revenue is the commission on captured − refunded, per booking, half-even;
 * the vendors' share is the rest. Cached for a minute per question.
 */
export async function getAnalytics(
  deps: {
    db: Kysely<DB>
    cache: Cache
    dialect: 'sqlite' | 'postgres'
    log?: { warn(obj: object, msg: string): void }
  },
  actor: Actor,
  input: { from: string; to: string; interval: Interval; currency?: string },
): Promise<Analytics> {
  if (actor.role !== 'admin') throw new AdminRequiredError()
  const from = new Date(input.from)
  const to = new Date(input.to)
  if (!(from < to)) throw new ValidationError([{ field: 'to', message: 'must be after from' }])
  const days = (to.getTime() - from.getTime()) / 86_400_000
  const buckets = input.interval === 'day' ? days : input.interval === 'week' ? days / 7 : days / 28
  if (buckets > MAX_BUCKETS)
    throw new ValidationError([
      { field: 'interval', message: `gives more than ${MAX_BUCKETS} buckets; choose a longer one` },
    ])
  const range = { from: from.toISOString(), to: to.toISOString() }
  const key = `admin:analytics:${JSON.stringify({ ...range, interval: input.interval, currency: input.currency ?? null })}`
  const compute = () => compile(deps, range.from, range.to, input.interval, input.currency)
  return (await readThrough(deps.cache, key, CACHE_SECONDS, compute, deps.log)) ?? compute()
}

async function compile(
  deps: { db: Kysely<DB>; dialect: 'sqlite' | 'postgres' },
  from: string,
  to: string,
  interval: Interval,
  only: string | undefined,
): Promise<Analytics> {
  const repo = analyticsRepository
  const [bookings, gross, moneyAndTop, payouts, occupancy, channels] = await Promise.all([
    repo.bookings(deps.db, deps.dialect, from, to, interval),
    repo.grossValue(deps.db, from, to),
    repo.money(deps.db, deps.dialect, from, to, interval, 5),
    repo.payouts(deps.db, from, to),
    repo.occupancy(deps.db, from, to),
    repo.byChannel(deps.db, from, to),
  ])
  const { buckets: money, topVendors, topTrips } = moneyAndTop
  const currencies = new Set<string>(
    [bookings, gross, money, payouts.paid, payouts.owed, occupancy].flatMap((rows) =>
      rows.map((r) => r.currency),
    ),
  )
  const sum = <T extends { currency: string }>(rows: T[], currency: string, pick: (r: T) => number) =>
    rows.filter((r) => r.currency === currency).reduce((s, r) => s + pick(r), 0)
  const figures = [...currencies]
    .filter((c) => only === undefined || c === only)
    .sort()
    .map((currency): CurrencyFigures => {
      const statuses: Record<string, number> = {}
      for (const r of bookings.filter((r) => r.currency === currency))
        statuses[r.status] = (statuses[r.status] ?? 0) + r.count
      const made = Object.values(statuses).reduce((s, n) => s + n, 0)
      const captured = sum(money, currency, (r) => r.captured)
      const refunded = sum(money, currency, (r) => r.refunded)
      const revenue = sum(money, currency, (r) => r.commission)
      const sold = sum(occupancy, currency, (r) => r.sold)
      const capacity = sum(occupancy, currency, (r) => r.capacity)
      const settled = (statuses.confirmed ?? 0) + (statuses.completed ?? 0) + (statuses.cancelled ?? 0)
      const buckets = new Map<string, CurrencyFigures['series'][number]>()
      const at = (b: string) => {
        const found = buckets.get(b) ?? {
          bucket: b,
          bookings: 0,
          captured: 0,
          refunded: 0,
          platformRevenue: 0,
        }
        buckets.set(b, found)
        return found
      }
      for (const r of bookings.filter((r) => r.currency === currency)) at(r.bucket).bookings += r.count
      for (const r of money.filter((r) => r.currency === currency)) {
        const b = at(r.bucket)
        b.captured += r.captured
        b.refunded += r.refunded
        b.platformRevenue += r.commission
      }
      return {
        currency,
        bookings: { made, byStatus: statuses },
        grossBookingValue: sum(gross, currency, (r) => r.total),
        captured,
        refunded,
        platformRevenue: revenue,
        vendorShare: captured - refunded - revenue,
        payoutsPaid: sum(payouts.paid, currency, (r) => r.total),
        owedToVendors: sum(payouts.owed, currency, (r) => r.total),
        occupancy: { seatsSold: sold, capacity, rate: capacity > 0 ? sold / capacity : null },
        cancellationRate: settled > 0 ? (statuses.cancelled ?? 0) / settled : null,
        topVendors: topVendors
          .filter((r) => r.currency === currency)
          .map(({ id, name, kept }) => ({ id, name, kept })),
        topTrips: topTrips
          .filter((r) => r.currency === currency)
          .map(({ id, name, kept }) => ({ id, name, kept })),
        series: [...buckets.values()].sort((a, b) => a.bucket.localeCompare(b.bucket)),
        byChannel: channels
          .filter((r) => r.currency === currency)
          .sort((a, b) => a.channel.localeCompare(b.channel))
          .map((r) => ({
            channel: r.channel,
            bookings: r.bookings,
            grossBookingValue: r.gross,
            captured: r.captured,
          })),
      }
    })
  return { from, to, interval, currencies: figures }
}
