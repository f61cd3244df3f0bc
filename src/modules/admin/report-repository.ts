import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'

/** Money that moved for one booking within a period. */
export interface BookingMoney {
  bookingId: string
  currency: string
  commissionBps: number
  captured: number
  refunded: number
}

/**
 * What the business did in a period, read-only from the tables of users, bookings and payments: the
 * one place admin reports read other modules' data.
 */
export const reportRepository = {
  async counts(db: Kysely<DB>, from: string, to: string) {
    const users = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('created_at', '>=', from)
      .where('created_at', '<', to)
      .executeTakeFirst()
    // One pass over the bookings: each figure counts the rows whose own moment falls in the period.
    const b = await db
      .selectFrom('bookings')
      .select((eb) => {
        const within = (
          column: 'created_at' | 'confirmed_at' | 'closed_at',
          status?: 'cancelled' | 'expired',
        ) =>
          eb.fn.sum<number | string>(
            eb
              .case()
              .when(
                eb.and([
                  eb(column, '>=', from),
                  eb(column, '<', to),
                  ...(status ? [eb('status', '=', status)] : []),
                ]),
              )
              .then(1)
              .else(0)
              .end(),
          )
        return [
          within('created_at').as('made'),
          within('confirmed_at').as('confirmed'),
          within('closed_at', 'cancelled').as('cancelled'),
          within('closed_at', 'expired').as('expired'),
        ]
      })
      .executeTakeFirst()
    return {
      newUsers: Number(users?.n ?? 0),
      bookingsMade: Number(b?.made ?? 0),
      bookingsConfirmed: Number(b?.confirmed ?? 0),
      bookingsCancelled: Number(b?.cancelled ?? 0),
      holdsExpired: Number(b?.expired ?? 0),
    }
  },

  /** Per booking: payments captured and refunds paid within the period. */
  async money(db: Kysely<DB>, from: string, to: string): Promise<BookingMoney[]> {
    const captured = await db
      .selectFrom('payments as p')
      .innerJoin('bookings as b', 'b.id', 'p.booking_id')
      .select([
        'b.id',
        'b.currency',
        'b.commission_bps',
        (eb) => eb.fn.sum<number | string>('p.amount').as('amount'),
      ])
      .where('p.status', '=', 'succeeded')
      .where('p.settled_at', '>=', from)
      .where('p.settled_at', '<', to)
      .groupBy(['b.id', 'b.currency', 'b.commission_bps'])
      .execute()
    const refunded = await db
      .selectFrom('refunds as r')
      .innerJoin('bookings as b', 'b.id', 'r.booking_id')
      .select([
        'b.id',
        'b.currency',
        'b.commission_bps',
        (eb) => eb.fn.sum<number | string>('r.amount').as('amount'),
      ])
      .where('r.status', '=', 'succeeded')
      .where('r.updated_at', '>=', from)
      .where('r.updated_at', '<', to)
      .groupBy(['b.id', 'b.currency', 'b.commission_bps'])
      .execute()
    const byBooking = new Map<string, BookingMoney>()
    const entry = (row: { id: string; currency: string; commission_bps: number }) => {
      let found = byBooking.get(row.id)
      if (!found) {
        found = {
          bookingId: row.id,
          currency: row.currency,
          commissionBps: row.commission_bps,
          captured: 0,
          refunded: 0,
        }
        byBooking.set(row.id, found)
      }
      return found
    }
    for (const row of captured) entry(row).captured += Number(row.amount)
    for (const row of refunded) entry(row).refunded += Number(row.amount)
    return [...byBooking.values()]
  },

  /** Admins who can receive mail. */
  async admins(db: Kysely<DB>) {
    return db
      .selectFrom('users')
      .select(['id', 'email', 'name', 'language'])
      .where('role', '=', 'admin')
      .where('status', '=', 'active')
      .where('email', 'is not', null)
      .orderBy('id')
      .execute()
  },
}
