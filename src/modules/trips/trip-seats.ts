import type { Kysely, QueryCreator } from 'kysely'
import { prepared } from '../../platform/database/prepared.js'
import type { DB } from '../../platform/database/schema.js'

/** What a booking learns from the trip whose seats it took: the price now, and the vendor's commission. */
export interface SeatsTaken {
  unitPrice: number
  currency: string
  /** The selling vendor's commission in basis points (null: the vendor row is gone; use the default). */
  commissionBps: number | null
}

/**
 * The capacity guard, the only statement that takes a trip's seats: one conditional UPDATE, so the
 * database decides under its row lock (PostgreSQL) or write lock (SQLite) whatever the number of
 * processes, with CHECK (seats_taken <= capacity) as the backstop. It returns the price and the
 * vendor's commission in the same round trip. Exported as a builder so that bookings can run it inside
 * its own single statement on PostgreSQL: one guard, however it is sent.
 */
export function takeSeatsStatement(qc: QueryCreator<DB>, tripId: string, seats: number, at: string) {
  return qc
    .updateTable('trips')
    .set((eb) => ({ seats_taken: eb('seats_taken', '+', seats) }))
    .where('id', '=', tripId)
    .where('status', '=', 'published')
    .where('starts_at', '>', at)
    .where((eb) => eb(eb('seats_taken', '+', seats), '<=', eb.ref('capacity')))
    .returning((eb) => [
      'id',
      'price_amount',
      'price_currency',
      eb
        .selectFrom('vendors')
        .select('commission_bps')
        .whereRef('vendors.id', '=', 'trips.vendor_id')
        .as('commission_bps'),
    ])
}

const takeQuery = prepared((db, tripId: string, seats: number, at: string) =>
  takeSeatsStatement(db, tripId, seats, at),
)

const releaseQuery = prepared((db, tripId: string, seats: number) =>
  db
    .updateTable('trips')
    .set((eb) => ({ seats_taken: eb('seats_taken', '-', seats) }))
    .where('id', '=', tripId)
    .where('seats_taken', '>=', seats),
)

export function toSeatsTaken(row: {
  price_amount: number
  price_currency: string
  commission_bps: number | null
}): SeatsTaken {
  return { unitPrice: row.price_amount, currency: row.price_currency, commissionBps: row.commission_bps }
}

/** What other modules may do to a trip's seats: take them (guarded) and give them back. */
export const tripSeats = {
  /** Undefined: not enough seats left, or the trip is not open for booking; nothing changed. */
  async take(db: Kysely<DB>, tripId: string, seats: number, at: string): Promise<SeatsTaken | undefined> {
    const row = (await takeQuery(db, tripId, seats, at)).rows[0]
    return row && toSeatsTaken(row)
  },

  /** Gives seats back. A trip holding fewer seats than given back means the books are wrong: it throws. */
  async release(db: Kysely<DB>, tripId: string, seats: number): Promise<void> {
    const result = await releaseQuery(db, tripId, seats)
    if (Number(result.numAffectedRows) !== 1)
      throw new Error(`trip ${tripId} holds fewer than the ${seats} seats given back`)
  },
}
