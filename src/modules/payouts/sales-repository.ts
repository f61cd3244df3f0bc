import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'

/**
 * What vendors sold, read-only from the tables of bookings, trips, vendors, payments and refunds: the
 * one place payouts reads other modules' data.
 */
export const salesRepository = {
  /** A booking's vendor and money: captured by succeeded payments, and refunds not failed. */
  async bookingMoney(db: Kysely<DB>, bookingId: string) {
    const booking = await db
      .selectFrom('bookings as b')
      .innerJoin('trips as t', 't.id', 'b.trip_id')
      .select(['b.id', 'b.status', 'b.currency', 'b.commission_bps', 't.vendor_id'])
      .where('b.id', '=', bookingId)
      .executeTakeFirst()
    if (!booking) return undefined
    const captured = await db
      .selectFrom('payments')
      .select((eb) => eb.fn.sum<number | string>('amount').as('n'))
      .where('booking_id', '=', bookingId)
      .where('status', '=', 'succeeded')
      .executeTakeFirst()
    const refunded = await db
      .selectFrom('refunds')
      .select((eb) => eb.fn.sum<number | string>('amount').as('n'))
      .where('booking_id', '=', bookingId)
      .where('status', '!=', 'failed')
      .executeTakeFirst()
    return {
      bookingId: booking.id,
      status: booking.status,
      vendorId: booking.vendor_id,
      currency: booking.currency,
      commissionBps: booking.commission_bps,
      captured: Number(captured?.n ?? 0),
      refunded: Number(refunded?.n ?? 0),
    }
  },

  /** Confirmed (not yet completed) bookings of a vendor, with their money: its pending earnings. */
  async confirmedMoney(db: Kysely<DB>, vendorId: string) {
    const rows = await db
      .selectFrom('bookings as b')
      .innerJoin('trips as t', 't.id', 'b.trip_id')
      .innerJoin('payments as p', 'p.booking_id', 'b.id')
      .select(['b.id', 'b.currency', 'b.commission_bps', 'p.amount', 'p.refunded_amount'])
      .where('t.vendor_id', '=', vendorId)
      .where('b.status', '=', 'confirmed')
      .where('p.status', '=', 'succeeded')
      .execute()
    return rows.map((r) => ({
      currency: r.currency,
      commissionBps: r.commission_bps,
      kept: Number(r.amount) - Number(r.refunded_amount),
    }))
  },

  async vendor(db: Kysely<DB>, vendorId: string) {
    return db
      .selectFrom('vendors')
      .select(['id', 'user_id', 'status', 'payout_account', 'payout_schedule'])
      .where('id', '=', vendorId)
      .executeTakeFirst()
  },

  async approvedVendors(db: Kysely<DB>, schedule: 'weekly' | 'monthly') {
    return db
      .selectFrom('vendors')
      .select(['id', 'payout_account'])
      .where('status', '=', 'approved')
      .where('payout_schedule', '=', schedule)
      .orderBy('id')
      .execute()
  },
}
