import type { Kysely } from 'kysely'
import type { DB } from '../src/platform/database/schema.js'
import { newId } from '../src/shared/ids.js'
import { type BenchData, benchTrip, bookingRow, insertInChunks, userRow } from './seed.js'

export interface LargeCounts {
  trips: number
  bookings: number
  travellers: number
}

export interface LargeData {
  /** Trips of the large catalogue to read (any of them). */
  tripIds: string[]
  /** Bookings among the million, owned by travellers the bench has tokens for. */
  bookings: { id: string; token: string }[]
  /** One trip with room for every booking the hot-trip scenario makes. */
  hotTripId: string
}

/**
 * The large catalogue, loaded straight into the database beside the bench's own rows: trips over a
 * thousand towns (the bench's five cities among them), travellers, and bookings in every closed or
 * confirmed state spread over the trips (none pending: holds stay as they are). A tenth of the
 * bookings belong to travellers with tokens, so reads can pick among them. Multi-row inserts in
 * transactions of 20,000 rows; `progress` is told as it goes.
 */
export async function seedLarge(
  db: Kysely<DB>,
  data: BenchData,
  counts: LargeCounts,
  progress: (what: string, done: number, total: number) => void,
): Promise<LargeData> {
  const now = new Date()
  const at = now.toISOString()
  const batch = 20_000
  const inBatches = async <T>(what: string, total: number, make: (i: number) => T, table: keyof DB) => {
    for (let start = 0; start < total; start += batch) {
      const rows = Array.from({ length: Math.min(batch, total - start) }, (_, k) => make(start + k))
      await db.transaction().execute((trx) =>
        insertInChunks(
          rows,
          (chunk) =>
            trx
              .insertInto(table)
              .values(chunk as never)
              .execute(),
          500,
        ),
      )
      progress(what, Math.min(total, start + batch), total)
    }
  }

  const cities = [
    'Lisbon, Portugal',
    'Kyoto, Japan',
    'New York, USA',
    'Cape Town, South Africa',
    'Sintra, Portugal',
  ]
  const tripIds: string[] = []
  await inBatches(
    'trips',
    counts.trips,
    (i) => {
      // One trip in five in the bench's cities, the rest in a thousand towns.
      const trip = benchTrip(
        i,
        data.vendorId,
        now,
        i % 5 === 0 ? cities[(i / 5) % cities.length] : `Town ${i % 1000}`,
      )
      tripIds.push(trip.id)
      return { ...trip, capacity: 1000 }
    },
    'trips',
  )
  const hotTripId = tripIds[0]!
  await db.updateTable('trips').set({ capacity: 1_000_000 }).where('id', '=', hotTripId).execute()

  const extra = Math.max(0, counts.travellers - data.travellers.length)
  const travellerIds: string[] = []
  await inBatches(
    'travellers',
    extra,
    (i) => {
      const id = newId('usr')
      travellerIds.push(id)
      return userRow({
        id,
        email: `bench-large-${i}@example.com`,
        name: `Traveller L${i}`,
        role: 'traveler',
        password_hash: data.passwordHash,
        at,
      })
    },
    'users',
  )

  const states = ['confirmed', 'completed', 'cancelled', 'expired'] as const
  const readable: LargeData['bookings'] = []
  const taken = new Map<string, number>()
  await inBatches(
    'bookings',
    counts.bookings,
    (i) => {
      const tripId = tripIds[(i * 7919) % tripIds.length]!
      const status = states[i % states.length]!
      const withToken = i % 10 === 0
      const owner = withToken
        ? data.travellers[(i / 10) % data.travellers.length]!.id
        : (travellerIds[i % Math.max(1, travellerIds.length)] ?? data.travellers[0]!.id)
      const id = newId('bkg')
      if (withToken && readable.length < 1000)
        readable.push({ id, token: data.travellers[(i / 10) % data.travellers.length]!.token })
      if (status === 'confirmed' || status === 'completed') taken.set(tripId, (taken.get(tripId) ?? 0) + 1)
      return bookingRow({
        id,
        trip_id: tripId,
        user_id: owner,
        unit_price: 5000,
        at,
        status,
        confirmed_at: status === 'expired' ? null : at,
        closed_at: status === 'confirmed' ? null : at,
      })
    },
    'bookings',
  )
  const counted = [...taken]
  for (let start = 0; start < counted.length; start += batch) {
    await db.transaction().execute(async (trx) => {
      for (const [id, seats] of counted.slice(start, start + batch))
        await trx.updateTable('trips').set({ seats_taken: seats }).where('id', '=', id).execute()
    })
    progress('seat counts', Math.min(counted.length, start + batch), counted.length)
  }
  return { tripIds, bookings: readable, hotTripId }
}
