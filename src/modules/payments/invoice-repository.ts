import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'

/**
 * What an invoice shows, read from the tables of bookings, trips, vendors and users (read only: the
 * one place payments reads them), and the invoice numbers, which payments owns.
 */
export const invoiceRepository = {
  async facts(db: Kysely<DB>, bookingId: string) {
    const row = await db
      .selectFrom('bookings as b')
      .innerJoin('trips as t', 't.id', 'b.trip_id')
      .innerJoin('vendors as v', 'v.id', 't.vendor_id')
      .innerJoin('users as u', 'u.id', 'b.user_id')
      .select([
        't.title',
        't.location',
        't.starts_at',
        't.timezone',
        'v.business_name',
        'u.name as traveller_name',
        'u.email as traveller_email',
      ])
      .where('b.id', '=', bookingId)
      .executeTakeFirst()
    return (
      row && {
        trip: { title: row.title, location: row.location, startsAt: row.starts_at, timezone: row.timezone },
        vendor: { businessName: row.business_name },
        traveller: { name: row.traveller_name, email: row.traveller_email },
      }
    )
  },

  async numberOf(
    db: Kysely<DB>,
    bookingId: string,
  ): Promise<{ number: number; issuedAt: string } | undefined> {
    const row = await db
      .selectFrom('invoices')
      .select(['number', 'issued_at'])
      .where('booking_id', '=', bookingId)
      .executeTakeFirst()
    return row && { number: row.number, issuedAt: row.issued_at }
  },

  /** The next number, taken under the counter's row lock: sequential, and gapless since it rolls back with its transaction. */
  async allocate(
    db: Kysely<DB>,
    bookingId: string,
    now: Date,
  ): Promise<{ number: number; issuedAt: string }> {
    const next = await db
      .updateTable('counters')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('name', '=', 'invoice')
      .returning('value')
      .executeTakeFirstOrThrow()
    const issuedAt = now.toISOString()
    await db
      .insertInto('invoices')
      .values({ booking_id: bookingId, number: next.value, issued_at: issuedAt })
      .execute()
    return { number: next.value, issuedAt }
  },
}
