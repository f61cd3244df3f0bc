import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { call } from '../support/processes.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill (PRODUCT.md §5): 200 concurrent bookings for 10 seats, sent to two API processes that share
 * one database, give exactly 10 holds and 190 `409`s, and no 5xx. Run alone: npm run drill:oversell
 */
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
})
