import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { call } from '../support/processes.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill (PRODUCT.md §5): 200 concurrent bookings for 10 seats, sent to two API processes that share
 * one database, give exactly 10 holds and 190 `409`s, and no 5xx; and the same race with half of the
 * bookings made by a reseller through OCTO (one inventory, every channel). Run alone: npm run drill:oversell
 */
const countBy = (keys: string[]) => {
  const counts: Record<string, number> = {}
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1
  return counts
}

describe.each(dialects)('overbooking drill on %s with two API processes', (dialect) => {
  let cluster: Cluster
  beforeAll(async () => {
    cluster = await givenTwoApiProcesses(dialect)
  })
  afterAll(() => cluster?.stop())

  it('when 200 bookings race for 10 seats, then exactly 10 are held, 190 are sold out, none fail', async () => {
    const { one, two } = cluster
    const tripId = await cluster.givenTrip(10)
    const travellers = await cluster.givenTravellers(20)

    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(
          i % 2 ? one : two,
          'POST',
          '/bookings',
          { trip_id: tripId, seats: 1 },
          travellers[i % 20]!.token,
        ),
      ),
    )
    const ms = performance.now() - started
    const count = (status: number) => results.filter((r) => r.status === status).length
    const figures = {
      dialect,
      created: count(201),
      sold_out: count(409),
      server_errors: results.filter((r) => r.status >= 500).length,
      ms: Math.round(ms),
    }
    reportDrill(`oversell (${dialect}, two API processes)`, figures)
    expect(figures).toMatchObject({ created: 10, sold_out: 190, server_errors: 0 })

    const db = openDatabase(cluster.database.url)
    try {
      const row = await db.db
        .selectFrom('trips')
        .select(['seats_taken', 'capacity'])
        .where('id', '=', tripId)
        .executeTakeFirstOrThrow()
      const live = await db.db.selectFrom('bookings').select('id').where('trip_id', '=', tripId).execute()
      expect(row).toEqual({ seats_taken: 10, capacity: 10 })
      expect(live).toHaveLength(10)
    } finally {
      await db.close()
    }
  })

  it('when 100 OCTO reservations and 100 direct bookings race for 10 seats, then exactly 10 succeed across both channels', async () => {
    const { one, two } = cluster
    const tripId = await cluster.givenTrip(10)
    const trip = (await call(one, 'GET', `/trips/${tripId}`)).body
    const travellers = await cluster.givenTravellers(20)
    const reseller = await call(
      one,
      'POST',
      '/admin/resellers',
      { name: 'Drill OTA', contact_email: 'ota@example.com' },
      cluster.adminToken,
    )
    const granted = await call(
      two,
      'POST',
      `/vendors/${cluster.vendorId}/resellers`,
      { reseller_id: reseller.body.id, commission_bps: 1000 },
      cluster.vendorToken,
    )
    expect(granted.status, JSON.stringify(granted.body)).toBe(201)
    const key = granted.body.api_key as string
    const reserve = async (base: string, on = trip) => {
      const res = await fetch(`${base}/octo/bookings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          uuid: randomUUID(),
          productId: on.product_id,
          optionId: 'DEFAULT',
          availabilityId: on.starts_at_local,
          unitItems: [{ unitId: 'adult' }],
        }),
      })
      return { status: res.status, body: await res.json() }
    }
    // Both paths warmed up on another trip first: a cold OCTO path (compiled on first use) would reach
    // the guard after every direct booking and the race would be one channel's only.
    const warm = (await call(one, 'GET', `/trips/${await cluster.givenTrip(100)}`)).body
    await Promise.all(
      [one, two].flatMap((base) => [
        ...Array.from({ length: 5 }, () => reserve(base, warm)),
        ...Array.from({ length: 5 }, (_, i) =>
          call(base, 'POST', '/bookings', { trip_id: warm.id, seats: 1 }, travellers[10 + i]!.token),
        ),
      ]),
    )

    // Each request leaves at a random moment within 40 ms, so both channels' requests arrive at the
    // guard interleaved (a reservation does a few reads more before it gets there).
    const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 40))
    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await jitter()
        if (i % 2) return { channel: 'octo', ...(await reserve(i % 4 === 1 ? one : two)) }
        const base = i % 4 === 0 ? one : two
        return {
          channel: 'direct',
          ...(await call(
            base,
            'POST',
            '/bookings',
            { trip_id: tripId, seats: 1 },
            travellers[i % 20]!.token,
          )),
        }
      }),
    )
    const ms = performance.now() - started
    const direct = results.filter((r) => r.channel === 'direct')
    const octo = results.filter((r) => r.channel === 'octo')
    const figures = {
      dialect,
      direct_held: direct.filter((r) => r.status === 201).length,
      octo_held: octo.filter((r) => r.status === 200 && r.body.status === 'ON_HOLD').length,
      direct_sold_out: direct.filter((r) => r.status === 409 && r.body.code === 'booking.sold_out').length,
      octo_refused: octo.filter((r) => r.status === 400 && r.body.error === 'UNPROCESSABLE_ENTITY').length,
      server_errors: results.filter((r) => r.status >= 500).length,
      answers: JSON.stringify(
        countBy(
          results.map((r) => `${r.channel} ${r.status} ${r.body?.error ?? r.body?.code ?? r.body?.status}`),
        ),
      ),
      ms: Math.round(ms),
    }
    reportDrill(`oversell across channels (${dialect}, half OCTO, two API processes)`, figures)
    expect(figures.direct_held + figures.octo_held).toBe(10)
    expect(figures.direct_sold_out + figures.octo_refused).toBe(190)
    expect(figures.server_errors).toBe(0)

    const db = openDatabase(cluster.database.url)
    try {
      const row = await db.db
        .selectFrom('trips')
        .select('seats_taken')
        .where('id', '=', tripId)
        .executeTakeFirstOrThrow()
      const live = await db.db
        .selectFrom('bookings')
        .select('channel')
        .where('trip_id', '=', tripId)
        .execute()
      expect(row.seats_taken).toBe(10)
      expect(live).toHaveLength(10)
      expect(live.filter((b) => b.channel === 'octo')).toHaveLength(figures.octo_held)
    } finally {
      await db.close()
    }
  })
})
