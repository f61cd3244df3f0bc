import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { DB } from '../../platform/database/schema.js'

export type Interval = 'day' | 'week' | 'month'

/**
 * Business figures for admins, computed by the database on both dialects (one SQL text each where they
 * differ): read-only over bookings, trips, payments, refunds, payouts and the vendor ledger. Every
 * figure is per currency; instants are compared as UTC.
 */

/** The bucket (YYYY-MM-DD, its first day, UTC) an instant column falls in. */
function bucket(
  dialect: 'sqlite' | 'postgres',
  column: RawBuilder<unknown>,
  interval: Interval,
): RawBuilder<string> {
  if (dialect === 'postgres')
    return sql<string>`to_char(date_trunc(${sql.lit(interval)}, ${column} at time zone 'UTC'), 'YYYY-MM-DD')`
  if (interval === 'day') return sql<string>`strftime('%Y-%m-%d', ${column})`
  if (interval === 'month') return sql<string>`strftime('%Y-%m-01', ${column})`
  // The Monday on or before the day: weekday 1 moves forward, so step back six days first.
  return sql<string>`date(${column}, '-6 days', 'weekday 1')`
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
  /** Bookings made in the range, by currency and status. */
  async bookingsByStatus(db: Kysely<DB>, from: string, to: string) {
    const rows = await db
      .selectFrom('bookings')
      .select([
        'currency',
        'status',
        (eb) => eb.fn.countAll<number | string>().as('n'),
        (eb) => eb.fn.sum<number | string>('seats').as('seats'),
      ])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .groupBy(['currency', 'status'])
      .execute()
    return rows.map((r) => ({ currency: r.currency, status: r.status, count: num(r.n), seats: num(r.seats) }))
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
   * Money per currency and bucket: captured (payments settled in the range), refunded (refunds paid in
   * it), and the platform's commission per booking on what it kept in that bucket, rounded half-even.
   * The per-booking sums and the rounding happen in the database.
   */
  async money(db: Kysely<DB>, dialect: 'sqlite' | 'postgres', from: string, to: string, interval: Interval) {
    const moves = sql`
      select p.booking_id as booking_id, p.amount as amount, p.settled_at as at from payments p
        where p.status = 'succeeded' and p.settled_at >= ${from} and p.settled_at < ${to}
      union all
      select r.booking_id, -r.amount, r.updated_at from refunds r
        where r.status = 'succeeded' and r.updated_at >= ${from} and r.updated_at < ${to}`
    const perBooking = sql`
      select b.currency as currency, ${bucket(dialect, sql.ref('m.at'), interval)} as bucket, b.commission_bps as bps,
        sum(case when m.amount > 0 then m.amount else 0 end) as captured,
        sum(case when m.amount < 0 then -m.amount else 0 end) as refunded,
        sum(m.amount) as kept
      from (${moves}) m join bookings b on b.id = m.booking_id
      group by b.id, b.currency, b.commission_bps, ${bucket(dialect, sql.ref('m.at'), interval)}`
    const rows = await sql<{
      currency: string
      bucket: string
      captured: unknown
      refunded: unknown
      commission: unknown
    }>`
      select x.currency, x.bucket, sum(x.captured) as captured, sum(x.refunded) as refunded,
        sum(${commissionSql(sql.ref('x.kept'), sql.ref('x.bps'))}) as commission
      from (${perBooking}) x
      group by x.currency, x.bucket
      order by x.currency, x.bucket`.execute(db)
    return rows.rows.map((r) => ({
      currency: r.currency,
      bucket: r.bucket,
      captured: num(r.captured),
      refunded: num(r.refunded),
      commission: num(r.commission),
    }))
  },

  /** Bookings made per currency and bucket. */
  async bookingSeries(
    db: Kysely<DB>,
    dialect: 'sqlite' | 'postgres',
    from: string,
    to: string,
    interval: Interval,
  ) {
    const b = bucket(dialect, sql.ref('created_at'), interval)
    const rows = await db
      .selectFrom('bookings')
      .select(['currency', b.as('bucket'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .groupBy(['currency', b])
      .execute()
    return rows.map((r) => ({ currency: r.currency, bucket: r.bucket, bookings: num(r.n) }))
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

  /** The vendors and trips that kept the most money in the range (captured − refunded), per currency. */
  async top(db: Kysely<DB>, from: string, to: string, by: 'vendor' | 'trip', limit: number) {
    const key = by === 'vendor' ? sql.ref('t.vendor_id') : sql.ref('t.id')
    const label = by === 'vendor' ? sql`max(v.business_name)` : sql`max(t.title)`
    const rows = await sql<{ currency: string; id: string; name: string; kept: unknown; pos: unknown }>`
      select * from (
        select b.currency as currency, ${key} as id, ${label} as name, sum(m.amount) as kept,
          row_number() over (partition by b.currency order by sum(m.amount) desc, ${key}) as pos
        from (
          select booking_id, amount from payments where status = 'succeeded' and settled_at >= ${from} and settled_at < ${to}
          union all
          select booking_id, -amount from refunds where status = 'succeeded' and updated_at >= ${from} and updated_at < ${to}
        ) m
        join bookings b on b.id = m.booking_id
        join trips t on t.id = b.trip_id
        join vendors v on v.id = t.vendor_id
        group by b.currency, ${key}
      ) ranked
      where pos <= ${limit}
      order by currency, pos`.execute(db)
    return rows.rows.map((r) => ({ currency: r.currency, id: r.id, name: r.name, kept: num(r.kept) }))
  },
}
