import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { STRONG_PASSWORD, uniqueEmail } from '../support/builders.js'
import { buildCli, call, type Server, startServer } from '../support/processes.js'
import { REDIS_URL } from '../support/services.js'
import { createTestDatabase, dialects, type TestDatabase } from '../support/stacks.js'
import { type StripeServer, startStripeServer } from '../support/stripe-server.js'

/**
 * Drill: the API process is killed (SIGKILL) after the provider charged and before the answer was
 * recorded. After a restart, reconciliation (`travellr payments reconcile`) confirms the booking, and
 * the provider holds exactly one charge for that payment. Run alone: npm run drill:payment-crash
 */
describe.each(dialects)('a payment interrupted by kill -9 on %s', (dialect) => {
  let build: ReturnType<typeof buildCli>
  let database: TestDatabase
  let stripe: StripeServer
  const servers: Server[] = []
  let env: Record<string, string>
  beforeAll(async () => {
    build = buildCli()
    database = await createTestDatabase(dialect)
    stripe = await startStripeServer()
    env = {
      TRAVELLR_ENV: 'development',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      SEED_DEMO: '0',
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_drill',
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.base,
      ...(dialect === 'postgres' && { REDIS_URL, REDIS_PREFIX: `t:${inject('runId')}:crash:` }),
    }
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await stripe?.close()
    build?.remove()
    await database?.drop()
  })

  it('when the API dies between the charge and its record, then reconciliation confirms the booking with one charge', async () => {
    const adminEmail = uniqueEmail('admin')
    // Asynchronously: the Stripe test server lives in this process and must answer the CLI.
    const cli = async (...args: string[]) =>
      (
        await promisify(execFile)(process.execPath, [build.cli, ...args], {
          env: { PATH: process.env.PATH ?? '', ...env },
        })
      ).stdout
    await cli('admin', 'create', '--email', adminEmail, '--password', STRONG_PASSWORD)
    const first = await startServer(build.cli, env)
    servers.push(first)
    const admin = (
      await call(first.base, 'POST', '/auth/login', { email: adminEmail, password: STRONG_PASSWORD })
    ).body.access_token
    const vendorEmail = uniqueEmail('vendor')
    const vendor = await call(first.base, 'POST', '/vendors/register', {
      email: vendorEmail,
      password: STRONG_PASSWORD,
      name: 'V',
      business_name: 'Crash Tours',
      phone: '+351 912 000 000',
    })
    await call(first.base, 'POST', `/admin/vendors/${vendor.body.id}/approve`, undefined, admin)
    const vendorToken = (
      await call(first.base, 'POST', '/vendors/login', { email: vendorEmail, password: STRONG_PASSWORD })
    ).body.access_token
    const starts = Date.now() + 30 * 86_400_000
    const trip = await call(
      first.base,
      'POST',
      '/trips',
      {
        title: 'Crash trip',
        description: '',
        location: 'Loopback',
        starts_at: new Date(starts).toISOString(),
        ends_at: new Date(starts + 3_600_000).toISOString(),
        timezone: 'UTC',
        price: { amount: 4200, currency: 'USD' },
        capacity: 5,
      },
      vendorToken,
    )
    const traveller = (
      await call(first.base, 'POST', '/auth/register', {
        email: uniqueEmail('t'),
        password: STRONG_PASSWORD,
        name: 'T',
      })
    ).body.access_token
    const booking = (
      await call(first.base, 'POST', '/bookings', { trip_id: trip.body.id, seats: 1 }, traveller)
    ).body

    // The provider commits the charge and never answers; the API is killed while it waits.
    stripe.failNext('commit-then-hang')
    const pending = call(
      first.base,
      'POST',
      '/payments',
      { booking_id: booking.id, payment_method: 'pm_card_visa' },
      traveller,
    ).catch((err: Error) => err)
    for (let i = 0; i < 300 && stripe.ofKind('payment_intent').length === 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    expect(stripe.ofKind('payment_intent')).toHaveLength(1)
    first.child.kill('SIGKILL')
    await pending
    // It may have exited already while the request above was failing.
    if (first.child.exitCode === null && first.child.signalCode === null)
      await new Promise((r) => first.child.once('exit', r))

    const db = openDatabase(database.url)
    try {
      const row = await db.db
        .selectFrom('payments')
        .select(['id', 'status'])
        .where('booking_id', '=', booking.id)
        .executeTakeFirstOrThrow()
      expect(row.status).toBe('processing')

      const second = await startServer(build.cli, env)
      servers.push(second)
      expect(await cli('payments', 'reconcile', '--quiet-seconds', '0')).toContain('Settled 1 payments')
      const after = await call(second.base, 'GET', `/bookings/${booking.id}`, undefined, traveller)
      expect(after.body.status).toBe('confirmed')
      const intents = stripe
        .ofKind('payment_intent')
        .filter((o) => (o.metadata as Record<string, string>).payment_id === row.id)
      expect(intents).toHaveLength(1)
      const keyed = stripe.requests.filter((r) => r.idempotencyKey === `payment:${row.id}`)
      expect(keyed.length).toBeGreaterThanOrEqual(2) // the interrupted call and the reconciliation, one key
      console.log(
        `payment crash drill: ${JSON.stringify({ dialect, provider_charges: intents.length, calls_with_key: keyed.length, booking: after.body.status })}`,
      )
    } finally {
      await db.close()
    }
  }, 90_000)
})
