import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { BookingFacts } from './mail-templates.js'

/** Who a mail goes to. */
export interface Recipient {
  email: string
  name: string
  language: string | null
}

/**
 * What mails say, read from the tables of users, vendors, trips and bookings: read-only, the one place
 * notifications look at other modules' data. An erased account (no email) gets no mail.
 */
export const noticeRepository = {
  async user(db: Kysely<DB>, userId: string): Promise<Recipient | undefined> {
    const row = await db
      .selectFrom('users')
      .select(['email', 'name', 'language'])
      .where('id', '=', userId)
      .where('status', '!=', 'deleted')
      .executeTakeFirst()
    return row?.email ? { email: row.email, name: row.name, language: row.language } : undefined
  },

  async vendor(
    db: Kysely<DB>,
    vendorId: string,
  ): Promise<{ businessName: string; to: Recipient | undefined } | undefined> {
    const row = await db
      .selectFrom('vendors as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .select(['v.business_name', 'u.email', 'u.name', 'u.language', 'u.status'])
      .where('v.id', '=', vendorId)
      .executeTakeFirst()
    if (!row) return undefined
    const reachable = row.email && row.status !== 'deleted'
    return {
      businessName: row.business_name,
      to: reachable ? { email: row.email!, name: row.business_name, language: row.language } : undefined,
    }
  },

  async booking(
    db: Kysely<DB>,
    bookingId: string,
  ): Promise<{ facts: BookingFacts; traveller?: Recipient; vendor?: Recipient } | undefined> {
    const row = await db
      .selectFrom('bookings as b')
      .innerJoin('trips as t', 't.id', 'b.trip_id')
      .innerJoin('vendors as v', 'v.id', 't.vendor_id')
      .innerJoin('users as tu', 'tu.id', 'b.user_id')
      .innerJoin('users as vu', 'vu.id', 'v.user_id')
      .select([
        'b.id',
        'b.seats',
        'b.total_amount',
        'b.currency',
        't.title',
        't.location',
        't.starts_at',
        't.timezone',
        'v.business_name',
        'tu.email as t_email',
        'tu.name as t_name',
        'tu.language as t_language',
        'tu.status as t_status',
        'vu.email as v_email',
        'vu.language as v_language',
        'vu.status as v_status',
      ])
      .where('b.id', '=', bookingId)
      .executeTakeFirst()
    if (!row) return undefined
    return {
      facts: {
        bookingId: row.id,
        tripTitle: row.title,
        location: row.location,
        startsAt: new Date(row.starts_at).toISOString(),
        timezone: row.timezone,
        seats: row.seats,
        total: { amount: row.total_amount, currency: row.currency },
        travellerName: row.t_name,
        businessName: row.business_name,
      },
      ...(row.t_email &&
        row.t_status !== 'deleted' && {
          traveller: { email: row.t_email, name: row.t_name, language: row.t_language },
        }),
      ...(row.v_email &&
        row.v_status !== 'deleted' && {
          vendor: { email: row.v_email, name: row.business_name, language: row.v_language },
        }),
    }
  },
}
