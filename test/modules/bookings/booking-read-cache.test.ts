import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/platform/database/database.js'
import {
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

/**
 * Booking reads are cached; no change may go unseen: whatever changes a booking, its payments or
 * refunds — this process, another instance, or plain SQL from elsewhere — the next read shows it.
 */
describe.each(stacks)('cached booking reads on $name', (stack) => {
  let env: TestEnv
  let vendor: GivenVendor
  beforeAll(async () => {
    env = await givenApp(stack)
    vendor = await givenVendor(env.app, await givenAdmin(env))
  })
  afterAll(() => env.close())

  const read = async (app: TestEnv['app'], auth: Record<string, string>, id: string) =>
    (await app.inject({ url: `/api/v1/bookings/${id}`, headers: auth })).json()
  async function givenBooking() {
    const traveller = await givenUser(env.app)
    const trip = await givenTrip(env.app, vendor, { capacity: 5 })
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: traveller.auth,
      payload: { trip_id: trip.id, seats: 1 },
    })
    expect(res.statusCode, res.body).toBe(201)
    return { traveller, id: res.json().id as string }
  }

  it('when another connection changes the booking with plain SQL, then the next read shows it', async () => {
    const { traveller, id } = await givenBooking()
    expect((await read(env.app, traveller.auth, id)).notes).toBeNull()
    expect((await read(env.app, traveller.auth, id)).notes).toBeNull()
    const other = openDatabase(env.database.url)
    try {
      await other.db
        .updateTable('bookings')
        .set({ notes: 'changed elsewhere' })
        .where('id', '=', id)
        .execute()
    } finally {
      await other.close()
    }
    // SQLite sees it on the very next read (data_version); PostgreSQL once the notice arrives (after commit).
    await expect
      .poll(async () => (await read(env.app, traveller.auth, id)).notes, { timeout: 3000 })
      .toBe('changed elsewhere')
  })

  it('when the booking is paid, cancelled or changed through the API, on this instance or another, then every read shows it at once', async () => {
    const { traveller, id } = await givenBooking()
    const second = await env.secondInstance()
    expect((await read(second.app, traveller.auth, id)).status).toBe('pending')
    expect((await read(env.app, traveller.auth, id)).status).toBe('pending')

    const paid = await env.app.inject({
      method: 'POST',
      url: '/api/v1/payments',
      headers: traveller.auth,
      payload: { booking_id: id, payment_method: 'pm_card_visa' },
    })
    expect(paid.statusCode, paid.body).toBe(201)
    const mine = await read(env.app, traveller.auth, id)
    expect(mine).toMatchObject({
      status: 'confirmed',
      payments: [expect.objectContaining({ status: 'succeeded' })],
    })
    await expect
      .poll(async () => (await read(second.app, traveller.auth, id)).status, { timeout: 3000 })
      .toBe('confirmed')

    const cancelled = await second.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${id}/cancel`,
      headers: traveller.auth,
      payload: {},
    })
    expect(cancelled.statusCode, cancelled.body).toBe(200)
    expect((await read(second.app, traveller.auth, id)).status).toBe('cancelled')
    await expect
      .poll(async () => (await read(env.app, traveller.auth, id)).payments[0].refunds.length, {
        timeout: 3000,
      })
      .toBe(1)
    expect((await read(env.app, traveller.auth, id)).status).toBe('cancelled')
  })

  it('when someone else asks for a booking whose read is cached, then it still does not exist for them', async () => {
    const { traveller, id } = await givenBooking()
    await read(env.app, traveller.auth, id)
    const stranger = await givenUser(env.app)
    expectProblem(await env.app.inject({ url: `/api/v1/bookings/${id}`, headers: stranger.auth }), 404)
    expect((await env.app.inject({ url: `/api/v1/bookings/${id}`, headers: vendor.auth })).statusCode).toBe(
      200,
    )
  })

  it.runIf(stack.dialect === 'postgres')(
    'when the connection that listens for changes is cut, then reads go to the database until it listens again',
    async () => {
      const { traveller, id } = await givenBooking()
      await read(env.app, traveller.auth, id)
      const admin = new pg.Client({ connectionString: env.database.url })
      await admin.connect()
      try {
        // Cut every LISTEN connection of this database (the feed's), then change the booking at once.
        await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where datname = current_database() and query ilike 'listen %' and pid <> pg_backend_pid()`,
        )
        await admin.query(`update bookings set notes = 'while cut' where id = $1`, [id])
        await expect
          .poll(async () => (await read(env.app, traveller.auth, id)).notes, { timeout: 3000 })
          .toBe('while cut')
        // Listening again (within a second or two), changes reach the cache as before.
        await new Promise((r) => setTimeout(r, 2500))
        await read(env.app, traveller.auth, id)
        await admin.query(`update bookings set notes = 'after' where id = $1`, [id])
        await expect
          .poll(async () => (await read(env.app, traveller.auth, id)).notes, { timeout: 3000 })
          .toBe('after')
        const listening = await admin.query(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
        )
        expect(listening.rows[0].n).toBeGreaterThanOrEqual(1)
      } finally {
        await admin.end()
      }
    },
  )
})
