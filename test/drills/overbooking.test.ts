import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { STRONG_PASSWORD, uniqueEmail } from '../support/builders.js'
import { buildCli, call, type Server, startServer } from '../support/processes.js'
import { REDIS_URL } from '../support/services.js'
import { createTestDatabase, dialects, type TestDatabase } from '../support/stacks.js'

/**
 * Drill (PRODUCT.md §5): 200 concurrent bookings for 10 seats, sent to two API processes that share
 * one database, give exactly 10 holds and 190 `409`s, and no 5xx. Run alone: npm run drill:overbooking
 */
describe.each(dialects)('overbooking drill on %s with two API processes', (dialect) => {
  let build: ReturnType<typeof buildCli>
  let database: TestDatabase
  let servers: Server[] = []
  beforeAll(async () => {
    build = buildCli()
    database = await createTestDatabase(dialect)
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    build.remove()
    await database.drop()
  })

  it('when 200 bookings race for 10 seats, then exactly 10 are held, 190 are sold out, none fail', async () => {
    const env = {
      TRAVELLR_ENV: 'development',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      SEED_DEMO: '0',
      ...(dialect === 'postgres' && { REDIS_URL, REDIS_PREFIX: `t:${inject('runId')}:drill:` }),
    }
    const adminEmail = uniqueEmail('admin')
    execFileSync(
      process.execPath,
      [build.cli, 'admin', 'create', '--email', adminEmail, '--password', STRONG_PASSWORD],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    )
    servers = await Promise.all([startServer(build.cli, env), startServer(build.cli, env)])
    const [one, two] = servers.map((s) => s.base) as [string, string]

    const admin = (await call(one, 'POST', '/auth/login', { email: adminEmail, password: STRONG_PASSWORD }))
      .body.access_token
    const vendorEmail = uniqueEmail('vendor')
    const vendor = await call(one, 'POST', '/vendors/register', {
      email: vendorEmail,
      password: STRONG_PASSWORD,
      name: 'Drill Vendor',
      business_name: 'Drill Tours',
      phone: '+351 912 000 000',
    })
    await call(two, 'POST', `/admin/vendors/${vendor.body.id}/approve`, undefined, admin)
    const vendorToken = (
      await call(two, 'POST', '/vendors/login', { email: vendorEmail, password: STRONG_PASSWORD })
    ).body.access_token
    const starts = Date.now() + 30 * 86_400_000
    const trip = await call(
      one,
      'POST',
      '/trips',
      {
        title: 'Drill trip',
        description: '',
        location: 'Loopback',
        starts_at: new Date(starts).toISOString(),
        ends_at: new Date(starts + 3_600_000).toISOString(),
        timezone: 'UTC',
        price: { amount: 1000, currency: 'USD' },
        capacity: 10,
      },
      vendorToken,
    )
    expect(trip.status).toBe(201)
    const travellers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await call(i % 2 ? one : two, 'POST', '/auth/register', {
          email: uniqueEmail('t'),
          password: STRONG_PASSWORD,
          name: 'T',
        })
        return r.body.access_token as string
      }),
    )

    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(i % 2 ? one : two, 'POST', '/bookings', { trip_id: trip.body.id, seats: 1 }, travellers[i % 20]),
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
    console.log(`overbooking drill: ${JSON.stringify(figures)}`)
    expect(figures).toMatchObject({ created: 10, sold_out: 190, server_errors: 0 })

    const db = openDatabase(database.url)
    try {
      const row = await db.db
        .selectFrom('trips')
        .select(['seats_taken', 'capacity'])
        .where('id', '=', trip.body.id)
        .executeTakeFirstOrThrow()
      const live = await db.db
        .selectFrom('bookings')
        .select('id')
        .where('trip_id', '=', trip.body.id)
        .execute()
      expect(row).toEqual({ seats_taken: 10, capacity: 10 })
      expect(live).toHaveLength(10)
    } finally {
      await db.close()
    }
  })
})
