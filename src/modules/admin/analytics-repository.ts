import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { DB } from '../../platform/database/schema.js'

export type Interval = 'day' | 'week' | 'month'

/**
 * Business figures for admins, computed by the database on both dialects (one SQL text each where they
 * differ): read-only over bookings, trips, payments, refunds, payouts and the vendor ledger. Every
 * figure is per currency; instants are compared as UTC.
 */

/**
 * The bucket an instant column falls in (its first day, UTC). On PostgreSQL a timestamp (cheap per
 * row); `bucketLabel` turns it into YYYY-MM-DD once per bucket. On SQLite the text itself.
 */
function bucket(
  dialect: 'sqlite' | 'postgres',
  column: RawBuilder<unknown>,
  interval: Interval,
): RawBuilder<string> {
  if (dialect === 'postgres')
    return sql<string>`date_trunc(${sql.lit(interval)}, ${column} at time zone 'UTC')`
  if (interval === 'day') return sql<string>`strftime('%Y-%m-%d', ${column})`
  if (interval === 'month') return sql<string>`strftime('%Y-%m-01', ${column})`
  // The Monday on or before the day: weekday 1 moves forward, so step back six days first.
  return sql<string>`date(${column}, '-6 days', 'weekday 1')`
}

function bucketLabel(dialect: 'sqlite' | 'postgres', value: RawBuilder<unknown>): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`to_char(${value}, 'YYYY-MM-DD')` : sql<string>`${value}`
}

/** Commission on `kept` minor units at `bps` basis points, rounded half-even, sign kept — in SQL. */
function commissionSql(kept: RawBuilder<unknown>, bps: RawBuilder<unknown>): RawBuilder<number> {
  const x = sql`abs(cast(${kept} as bigint) * ${bps})`
  const q = sql`(${x} / 10000)`
  const r = sql`(${x} - ${q} * 10000)`
  return sql<number>`(case when ${kept} < 0 then -1 else 1 end) * (${q} + case when 2 * ${r} > 10000 or (2 * ${r} = 10000 and ${q} % 2 = 1) then 1 else 0 end)`
}

export interface MoneyRow {
  currency: string
  captured: number
  refunded: number
  commission: number
}

const num = (v: unknown) => Number(v ?? 0)

export const analyticsRepository = {
  /** Bookings made in the range, by currency, status and bucket (one pass). */
  async bookings(
    db: Kysely<DB>,
    dialect: 'sqlite' | 'postgres',
    from: string,
    to: string,
    interval: Interval,
  ) {
    const b = bucket(dialect, sql.ref('created_at'), interval)
    const rows = await db
      .selectFrom('bookings')
      .select([
        'currency',
        'status',
        bucketLabel(dialect, b).as('bucket'),
        (eb) => eb.fn.countAll<number | string>().as('n'),
      ])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .groupBy(['currency', 'status', b])
      .execute()
    return rows.map((r) => ({ currency: r.currency, status: r.status, bucket: r.bucket, count: num(r.n) }))
  },

  /**
   * Sales by channel (direct, or resellers through OCTO): bookings made in the range, the value of
   * those confirmed in it, and the money captured in it (a reseller's booking is captured at its net).
   */
  async byChannel(db: Kysely<DB>, from: string, to: string) {
    const [made, confirmed, captured] = await Promise.all([
      db
        .selectFrom('bookings')
        .select(['currency', 'channel', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy(['currency', 'channel'])
        .execute(),
      db
        .selectFrom('bookings')
        .select(['currency', 'channel', (eb) => eb.fn.sum<number | string>('total_amount').as('total')])
        .where('confirmed_at', '>=', from)
        .where('confirmed_at', '<', to)
        .groupBy(['currency', 'channel'])
        .execute(),
      db
        .selectFrom('payments as p')
        .innerJoin('bookings as b', 'b.id', 'p.booking_id')
        .select(['p.currency', 'b.channel', (eb) => eb.fn.sum<number | string>('p.amount').as('total')])
        .where('p.status', '=', 'succeeded')
        .where('p.settled_at', '>=', from)
        .where('p.settled_at', '<', to)
        .groupBy(['p.currency', 'b.channel'])
        .execute(),
    ])
    const rows = new Map<
      string,
      { currency: string; channel: string; bookings: number; gross: number; captured: number }
    >()
    const row = (currency: string, channel: string) => {
      const key = `${currency}|${channel}`
      const found = rows.get(key) ?? { currency, channel, bookings: 0, gross: 0, captured: 0 }
      rows.set(key, found)
      return found
    }
    for (const r of made) row(r.currency, r.channel).bookings = num(r.n)
    for (const r of confirmed) row(r.currency, r.channel).gross = num(r.total)
    for (const r of captured) row(r.currency, r.channel).captured = num(r.total)
    return [...rows.values()]
  },

  /** Gross booking value: totals of bookings confirmed in the range (whatever happened to them later). */
  async grossValue(db: Kysely<DB>, from: string, to: string) {
    const rows = await db
      .selectFrom('bookings')
      .select(['currency', (eb) => eb.fn.sum<number | string>('total_amount').as('total')])
      .where('confirmed_at', '>=', from)
      .where('confirmed_at', '<', to)
      .groupBy('currency')
      .execute()
    return rows.map((r) => ({ currency: r.currency, total: num(r.total) }))
  },

  /**
   * Money per currency and bucket — captured (payments settled in the range), refunded (refunds paid in
   * it), and the platform's commission per booking on what it kept in that bucket, rounded half-even —
   * and the `top` vendors and trips by money kept, per currency: one statement, so the payments and
   * refunds of the range are read and summed per booking once.
   */
  async money(
    db: Kysely<DB>,
    dialect: 'sqlite' | 'postgres',
    from: string,
    to: string,
    interval: Interval,
    top: number,
  ) {
    const at = bucket(dialect, sql.ref('m.at'), interval)
    const query = sql<{
      kind: 'bucket' | 'vendor' | 'trip'
      currency: string
      key: string
      name: string | null
      captured: unknown
      refunded: unknown
      commission: unknown
    }>`
      with moves as (
        select p.booking_id as booking_id, p.amount as amount, p.settled_at as at from payments p
          where p.status = 'succeeded' and p.settled_at >= ${from} and p.settled_at < ${to}
        union all
        select r.booking_id, -r.amount, r.updated_at from refunds r
          where r.status = 'succeeded' and r.updated_at >= ${from} and r.updated_at < ${to}
      ),
      per as materialized (
        select b.currency as currency, b.trip_id as trip_id, t.vendor_id as vendor_id, ${at} as bucket,
          b.commission_bps as bps,
          sum(case when m.amount > 0 then m.amount else 0 end) as captured,
          sum(case when m.amount < 0 then -m.amount else 0 end) as refunded,
          sum(m.amount) as kept
        from moves m join bookings b on b.id = m.booking_id join trips t on t.id = b.trip_id
        group by b.id, b.currency, b.trip_id, t.vendor_id, b.commission_bps, ${at}
      ),
      ranked as (
        select 'vendor' as kind, currency, vendor_id as key, sum(kept) as kept,
          row_number() over (partition by currency order by sum(kept) desc, vendor_id) as pos
        from per group by currency, vendor_id
        union all
        select 'trip', currency, trip_id, sum(kept),
          row_number() over (partition by currency order by sum(kept) desc, trip_id)
        from per group by currency, trip_id
      )
      select 'bucket' as kind, currency, ${bucketLabel(dialect, sql.ref('bucket'))} as key, null as name, sum(captured) as captured,
        sum(refunded) as refunded, sum(${commissionSql(sql.ref('kept'), sql.ref('bps'))}) as commission
      from per group by currency, bucket
      union all
      select r.kind, r.currency, r.key, coalesce(v.business_name, t.title), r.kept, 0, 0
      from ranked r
        left join vendors v on r.kind = 'vendor' and v.id = r.key
        left join trips t on r.kind = 'trip' and t.id = r.key
      where r.pos <= ${top}
      order by 1, 2, 3`
    const rows = await query.execute(db)
    const buckets = rows.rows
      .filter((r) => r.kind === 'bucket')
      .map((r) => ({
        currency: r.currency,
        bucket: r.key,
        captured: num(r.captured),
        refunded: num(r.refunded),
        commission: num(r.commission),
      }))
    const ranked = (kind: 'vendor' | 'trip') =>
      rows.rows
        .filter((r) => r.kind === kind)
        .map((r) => ({ currency: r.currency, id: r.key, name: r.name ?? '', kept: num(r.captured) }))
        .sort((a, b) => a.currency.localeCompare(b.currency) || b.kept - a.kept || a.id.localeCompare(b.id))
    return { buckets, topVendors: ranked('vendor'), topTrips: ranked('trip') }
  },

  /** Payouts paid in the range, and what vendors are owed as of `to` (their ledgers' sum). */
  async payouts(db: Kysely<DB>, from: string, to: string) {
    const paid = await db
      .selectFrom('payouts')
      .select(['currency', (eb) => eb.fn.sum<number | string>('amount').as('total')])
      .where('status', '=', 'paid')
      .where('paid_at', '>=', from)
      .where('paid_at', '<', to)
      .groupBy('currency')
      .execute()
    const owed = await db
      .selectFrom('ledger_entries')
      .select(['currency', (eb) => eb.fn.sum<number | string>('amount').as('total')])
      .where('created_at', '<', to)
      .groupBy('currency')
      .execute()
    return {
      paid: paid.map((r) => ({ currency: r.currency, total: num(r.total) })),
      owed: owed.map((r) => ({ currency: r.currency, total: num(r.total) })),
    }
  },

  /** Trips departing in the range: seats sold (confirmed or completed) against capacity. */
  async occupancy(db: Kysely<DB>, from: string, to: string) {
    const rows = await sql<{ currency: string; sold: unknown; capacity: unknown }>`
      select t.price_currency as currency,
        coalesce(sum(s.sold), 0) as sold, sum(t.capacity) as capacity
      from trips t
      left join (select trip_id, sum(seats) as sold from bookings where status in ('confirmed', 'completed') group by trip_id) s
        on s.trip_id = t.id
      where t.starts_at >= ${from} and t.starts_at < ${to} and t.status = 'published'
      group by t.price_currency`.execute(db)
    return rows.rows.map((r) => ({ currency: r.currency, sold: num(r.sold), capacity: num(r.capacity) }))
  },
}
