import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { confirmBooking, expireHolds } from '../../src/modules/bookings/index.js'
import { createMemoryCache } from '../../src/platform/cache/memory-cache.js'
import { type Database, openDatabase } from '../../src/platform/database/database.js'
import { ManualClock, systemClock } from '../../src/shared/clock.js'
import { AppError } from '../../src/shared/errors.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { expectConsistentBooks } from '../support/invariants.js'
import { call } from '../support/processes.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill: every change to a booking at the same instant, through two API processes and a third process
 * (this one) playing the payment that confirms and the job that expires holds. Whatever wins, nothing
 * answers 5xx and the books stay exact. Run alone: npm run drill:races
 */
describe.each(dialects)('booking and payment races on %s with two API processes', (dialect) => {
  let cluster: Cluster
  let database: Database
  beforeAll(async () => {
    cluster = await givenTwoApiProcesses(dialect)
    database = openDatabase(cluster.database.url)
  })
  afterAll(async () => {
    await database?.close()
    await cluster?.stop()
  })

  /** One booking per traveller, alternating between the two processes. */
  const bookEach = (travellers: { token: string }[], tripId: string, seats: number) =>
    Promise.all(
      travellers.map(async (t, i) => {
        const r = await call(
          i % 2 ? cluster.one : cluster.two,
          'POST',
          '/bookings',
          { trip_id: tripId, seats },
          t.token,
        )
        expect(r.status, JSON.stringify(r.body)).toBe(201)
        return { id: r.body.id as string, token: t.token }
      }),
    )

  it('when each booking gets two seat changes, a cancel, a confirm and an expiry at once, then no 5xx and the seats, holds and events add up', async () => {
    const { one, two } = cluster
    const tripId = await cluster.givenTrip(200)
    const travellers = await cluster.givenTravellers(40)
    const bookings = await bookEach(travellers, tripId, 1)

    // The expiry job runs as if the holds had run out (its clock is 20 minutes ahead); the payment
    // confirms on the real clock, while the holds still stand for the API.
    const later = new ManualClock(new Date(Date.now() + 20 * 60_000).toISOString())
    const jobDeps = { db: database.db, clock: later, cache: createMemoryCache() }
    const inProcess: { outcome: string }[] = []
    const settle = async (run: () => Promise<unknown>) => {
      try {
        await run()
        inProcess.push({ outcome: 'ok' })
      } catch (err) {
        inProcess.push({ outcome: err instanceof AppError ? err.code : `crash: ${(err as Error).message}` })
      }
    }
    const started = performance.now()
    const http = await Promise.all([
      ...bookings.flatMap((b, i) => [
        call(i % 2 ? one : two, 'PUT', `/bookings/${b.id}`, { seats: 4 }, b.token),
        call(i % 2 ? two : one, 'PUT', `/bookings/${b.id}`, { seats: 2 }, b.token),
        // Two in three are also cancelled, so that every final state is reached somewhere.
        ...(i % 3 ? [call(i % 2 ? one : two, 'POST', `/bookings/${b.id}/cancel`, {}, b.token)] : []),
      ]),
      // Every booking but one in four is paid for at the same moment; those left race only the expiry.
      ...bookings
        .filter((_, i) => i % 4 !== 1)
        .map((b) => settle(() => confirmBooking({ db: database.db, clock: systemClock }, b.id))),
      settle(() => expireHolds(jobDeps)),
      settle(() => expireHolds(jobDeps)),
    ])
    const ms = Math.round(performance.now() - started)
    const responses = http.filter((r): r is { status: number; body: any } => r !== undefined)
    const statuses: Record<number, number> = {}
    for (const r of responses) statuses[r.status] = (statuses[r.status] ?? 0) + 1
    const books = await expectConsistentBooks(database.db, tripId)
    reportDrill(`booking races (${dialect})`, {
      ms,
      statuses: JSON.stringify(statuses),
      in_process: JSON.stringify(count(inProcess.map((p) => p.outcome))),
      'seats taken': books.seatsTaken,
      capacity: books.capacity,
      'bookings by status': JSON.stringify(books.byStatus),
    })
    expect(responses.filter((r) => r.status >= 500).map((r) => r.body)).toEqual([])
    expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true)
    expect(inProcess.filter((p) => p.outcome.startsWith('crash'))).toEqual([])

    // The trip reads as the books say: what is left is capacity minus the seats of live bookings.
    const trip = await call(one, 'GET', `/trips/${tripId}`)
    expect(trip.body.seats_available).toBe(books.capacity - books.seatsTaken)
  })

  it('when ten payments for each of ten bookings race across both processes, then one charge and one confirmation each, the rest 409', async () => {
    const { one, two } = cluster
    const tripId = await cluster.givenTrip(100)
    const travellers = await cluster.givenTravellers(10)
    const bookings = await bookEach(travellers, tripId, 2)
    const answers = await Promise.all(
      bookings.flatMap((b) =>
        Array.from({ length: 10 }, (_, i) =>
          call(
            i % 2 ? one : two,
            'POST',
            '/payments',
            { booking_id: b.id, payment_method: 'pm_card_visa' },
            b.token,
          ),
        ),
      ),
    )
    const statuses = count(answers.map((a) => String(a.status)))
    reportDrill(`payment races (${dialect})`, { statuses: JSON.stringify(statuses) })
    expect(statuses).toEqual({ '201': 10, '409': 90 })
    const charges = await database.db
      .selectFrom('mock_gateway_objects')
      .select('key')
      .where('kind', '=', 'charge')
      .execute()
    expect(charges).toHaveLength(10)
    for (const b of bookings) {
      const payments = await database.db
        .selectFrom('payments')
        .select('status')
        .where('booking_id', '=', b.id)
        .execute()
      expect(payments).toEqual([{ status: 'succeeded' }])
    }
    const books = await expectConsistentBooks(database.db, tripId)
    expect(books.byStatus).toEqual({ confirmed: 10 })
  })
})

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}
