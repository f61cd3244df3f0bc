import type { Kysely } from 'kysely'
import { expect } from 'vitest'
import type { DB } from '../../src/platform/database/schema.js'

const LIVE = ['pending', 'confirmed', 'completed']

/**
 * The books of one trip as they must always be: the trip's seats are the seats of its live bookings,
 * each traveller holds exactly the seats of its pending bookings, and each booking's events in the
 * outbox match its final state (one created; one confirmed if it was ever confirmed; one cancelled or
 * expired if it ended so; nothing for a move that lost).
 */
export async function expectConsistentBooks(db: Kysely<DB>, tripId: string) {
  const trip = await db
    .selectFrom('trips')
    .select(['seats_taken', 'capacity'])
    .where('id', '=', tripId)
    .executeTakeFirstOrThrow()
  const bookings = await db
    .selectFrom('bookings')
    .select(['id', 'user_id', 'status', 'seats', 'confirmed_at', 'total_amount', 'unit_price'])
    .where('trip_id', '=', tripId)
    .execute()
  const live = bookings.filter((b) => LIVE.includes(b.status)).reduce((sum, b) => sum + b.seats, 0)
  expect(trip.seats_taken, 'trip seats = seats of live bookings').toBe(live)
  expect(trip.seats_taken).toBeLessThanOrEqual(trip.capacity)

  const users = [...new Set(bookings.map((b) => b.user_id))]
  const holds = users.length
    ? await db.selectFrom('traveller_holds').selectAll().where('user_id', 'in', users).execute()
    : []
  for (const user of users) {
    const pending = await db
      .selectFrom('bookings')
      .select('seats')
      .where('user_id', '=', user)
      .where('status', '=', 'pending')
      .execute()
    const held = holds.find((h) => h.user_id === user)?.held_seats ?? 0
    expect(held, `held seats of ${user}`).toBe(pending.reduce((sum, b) => sum + b.seats, 0))
  }

  const events = bookings.length
    ? await db
        .selectFrom('outbox')
        .select(['aggregate_id', 'type'])
        .where(
          'aggregate_id',
          'in',
          bookings.map((b) => b.id),
        )
        .execute()
    : []
  for (const b of bookings) {
    expect(b.total_amount).toBe(b.seats * b.unit_price)
    const count = (type: string) => events.filter((e) => e.aggregate_id === b.id && e.type === type).length
    const got = {
      created: count('booking.created'),
      confirmed: count('booking.confirmed'),
      cancelled: count('booking.cancelled'),
      expired: count('booking.expired'),
    }
    expect(got, `events of ${b.id} (${b.status})`).toEqual({
      created: 1,
      confirmed: b.confirmed_at ? 1 : 0,
      cancelled: b.status === 'cancelled' ? 1 : 0,
      expired: b.status === 'expired' ? 1 : 0,
    })
  }
  const byStatus: Record<string, number> = {}
  for (const b of bookings) byStatus[b.status] = (byStatus[b.status] ?? 0) + 1
  return { seatsTaken: trip.seats_taken, capacity: trip.capacity, byStatus }
}
