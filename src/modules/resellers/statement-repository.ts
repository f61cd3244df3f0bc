import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'

/** One reseller's month in one currency: what it sold and what it owes. */
export interface StatementLine {
  resellerId: string
  resellerName: string
  currency: string
  bookings: number
  seats: number
  /** Retail value of the bookings confirmed in the month. */
  retail: number
  /** Net price of those bookings: what the reseller owes for them. */
  net: number
  /** Credits for cancellations refunded in the month (of bookings of any month). */
  credits: number
  /** net − credits. */
  due: number
}

/**
 * The monthly reseller statement, read-only over payments and refunds: a reseller's booking is paid
 * on account when confirmed (its net price), and a cancellation's refund is a credit.
 */
export const statementRepository = {
  async month(db: Kysely<DB>, from: string, to: string): Promise<StatementLine[]> {
    const sales = await db
      .selectFrom('payments as p')
      .innerJoin('bookings as b', 'b.id', 'p.booking_id')
      .innerJoin('resellers as r', 'r.id', 'b.reseller_id')
      .select((eb) => [
        'r.id as reseller_id',
        'r.name as reseller_name',
        'p.currency',
        eb.fn.countAll<number | string>().as('bookings'),
        eb.fn.sum<number | string>('b.seats').as('seats'),
        eb.fn.sum<number | string>('b.total_amount').as('retail'),
        eb.fn.sum<number | string>('p.amount').as('net'),
      ])
      .where('p.provider', '=', 'reseller')
      .where('p.status', '=', 'succeeded')
      .where('p.settled_at', '>=', from)
      .where('p.settled_at', '<', to)
      .groupBy(['r.id', 'r.name', 'p.currency'])
      .execute()
    const credits = await db
      .selectFrom('refunds as f')
      .innerJoin('payments as p', 'p.id', 'f.payment_id')
      .innerJoin('bookings as b', 'b.id', 'p.booking_id')
      .innerJoin('resellers as r', 'r.id', 'b.reseller_id')
      .select((eb) => [
        'r.id as reseller_id',
        'r.name as reseller_name',
        'f.currency',
        eb.fn.sum<number | string>('f.amount').as('credits'),
      ])
      .where('p.provider', '=', 'reseller')
      .where('f.status', '=', 'succeeded')
      .where('f.updated_at', '>=', from)
      .where('f.updated_at', '<', to)
      .groupBy(['r.id', 'r.name', 'f.currency'])
      .execute()
    const lines = new Map<string, StatementLine>()
    const line = (resellerId: string, resellerName: string, currency: string) => {
      const key = `${resellerId}|${currency}`
      let l = lines.get(key)
      if (!l) {
        l = {
          resellerId,
          resellerName,
          currency,
          bookings: 0,
          seats: 0,
          retail: 0,
          net: 0,
          credits: 0,
          due: 0,
        }
        lines.set(key, l)
      }
      return l
    }
    for (const s of sales) {
      const l = line(s.reseller_id, s.reseller_name, s.currency)
      l.bookings = Number(s.bookings)
      l.seats = Number(s.seats)
      l.retail = Number(s.retail)
      l.net = Number(s.net)
    }
    for (const c of credits) line(c.reseller_id, c.reseller_name, c.currency).credits = Number(c.credits)
    for (const l of lines.values()) l.due = l.net - l.credits
    return [...lines.values()].sort(
      (a, b) => a.resellerName.localeCompare(b.resellerName) || a.currency.localeCompare(b.currency),
    )
  },
}
