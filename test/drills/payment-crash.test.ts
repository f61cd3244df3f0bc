import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { call, startServer } from '../support/processes.js'
import { dialects } from '../support/stacks.js'
import { type StripeServer, startStripeServer } from '../support/stripe-server.js'

/**
 * Drill: the API process is killed (SIGKILL) after the provider charged and before the answer was
 * recorded. After a restart, reconciliation (`travellr payments reconcile`) confirms the booking, and
 * the provider holds exactly one charge for that payment. Run alone: npm run drill:payment-crash
 */
describe.each(dialects)('a payment interrupted by kill -9 on %s', (dialect) => {
  let stripe: StripeServer
  let cluster: Cluster
  beforeAll(async () => {
    stripe = await startStripeServer()
    cluster = await givenTwoApiProcesses(dialect, {
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_drill',
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.base,
    })
  })
  afterAll(async () => {
    await cluster?.stop()
    await stripe?.close()
  })

  it('when the API dies between the charge and its record, then reconciliation confirms the booking with one charge', async () => {
    // Asynchronously: the Stripe test server lives in this process and must answer the CLI.
    const cli = async (...args: string[]) =>
      (
        await promisify(execFile)(process.execPath, [cluster.cli, ...args], {
          env: { PATH: process.env.PATH ?? '', ...cluster.env },
        })
      ).stdout
    const first = cluster.servers[0]!
    const tripId = await cluster.givenTrip(5)
    const [traveller] = await cluster.givenTravellers(1)
    const booking = (
      await call(first.base, 'POST', '/bookings', { trip_id: tripId, seats: 1 }, traveller!.token)
    ).body

    // The provider commits the charge and never answers; the API is killed while it waits.
    stripe.failNext('commit-then-hang')
    const pending = call(
      first.base,
      'POST',
      '/payments',
      { booking_id: booking.id, payment_method: 'pm_card_visa' },
      traveller!.token,
    ).catch((err: Error) => err)
    for (let i = 0; i < 300 && stripe.ofKind('payment_intent').length === 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    expect(stripe.ofKind('payment_intent')).toHaveLength(1)
    first.child.kill('SIGKILL')
    await pending
    // It may have exited already while the request above was failing.
    if (first.child.exitCode === null && first.child.signalCode === null)
      await new Promise((r) => first.child.once('exit', r))

    const db = openDatabase(cluster.database.url)
    try {
      const row = await db.db
        .selectFrom('payments')
        .select(['id', 'status'])
        .where('booking_id', '=', booking.id)
        .executeTakeFirstOrThrow()
      expect(row.status).toBe('processing')

      const second = await startServer(cluster.cli, cluster.env)
      cluster.servers.push(second)
      expect(await cli('payments', 'reconcile', '--quiet-seconds', '0')).toContain('Settled 1 payments')
      const after = await call(second.base, 'GET', `/bookings/${booking.id}`, undefined, traveller!.token)
      expect(after.body.status).toBe('confirmed')
      const intents = stripe
        .ofKind('payment_intent')
        .filter((o) => (o.metadata as Record<string, string>).payment_id === row.id)
      expect(intents).toHaveLength(1)
      const keyed = stripe.requests.filter((r) => r.idempotencyKey === `payment:${row.id}`)
      expect(keyed.length).toBeGreaterThanOrEqual(2) // the interrupted call and the reconciliation, one key
      reportDrill(`payment interrupted by kill -9 (${dialect})`, {
        'provider charges': intents.length,
        'calls with its key': keyed.length,
        booking: after.body.status,
      })
    } finally {
      await db.close()
    }
  }, 90_000)
})
