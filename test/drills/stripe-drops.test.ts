import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { call } from '../support/processes.js'
import { dialects } from '../support/stacks.js'
import { type StripeServer, startStripeServer } from '../support/stripe-server.js'

/**
 * Drill (PRODUCT.md §5): the Stripe test server commits 70% of requests (at random) and then drops
 * the connection, so Travellr never hears the answer. Travellers pay (retrying on 503), cancel (refunds)
 * and a vendor is paid out (a transfer), through two API processes. Afterwards Stripe holds exactly one
 * object per idempotency key, one charge per booking, one refund per cancellation, one transfer per
 * payout, and Travellr's books agree with it. Run alone: npm run drill:stripe
 */
const TRAVELLERS = Number(process.env.DRILL_STRIPE_TRAVELLERS ?? 24)
const DROP_RATE = 0.7
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.runIf(dialects.includes('postgres'))('Stripe dropping connections after committing', () => {
  let stripe: StripeServer
  let cluster: Cluster
  afterAll(async () => {
    await cluster?.stop()
    await stripe?.close()
  })

  it('when most of the provider’s answers are lost, then every charge, refund and transfer is made exactly once', {
    timeout: 240_000,
  }, async () => {
    stripe = await startStripeServer()
    cluster = await givenTwoApiProcesses('postgres', {
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_drill',
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.base,
    })
    const bases = [cluster.one, cluster.two]
    const tripId = await cluster.givenTrip(100)
    const vendorId = (await call(cluster.one, 'GET', `/trips/${tripId}`)).body.vendor_id as string
    const travellers = await cluster.givenTravellers(TRAVELLERS)
    const count = { unavailable: 0, attempts: 0 }

    /** Sends until the answer is not a 503 (the provider's answer was lost), as a client would. */
    const persist = async (i: number, method: string, path: string, body: unknown, token: string) => {
      for (let attempt = 0; attempt < 30; attempt++) {
        count.attempts++
        const r = await call(bases[(i + attempt) % 2]!, method, path, body, token)
        if (r.status !== 503) return r
        count.unavailable++
        await sleep(100)
      }
      throw new Error(`${method} ${path} still unavailable after 30 attempts`)
    }

    stripe.dropAfterCommit(DROP_RATE)
    const paid = await Promise.all(
      travellers.map(async (t, i) => {
        const booking = await call(bases[i % 2]!, 'POST', '/bookings', { trip_id: tripId, seats: 1 }, t.token)
        expect(booking.status).toBe(201)
        const payment = await persist(
          i,
          'POST',
          '/payments',
          { booking_id: booking.body.id, payment_method: 'pm_card_visa' },
          t.token,
        )
        expect([200, 201], JSON.stringify(payment.body)).toContain(payment.status)
        return { booking: booking.body.id as string, token: t.token, i }
      }),
    )
    const cancelled = paid.filter((_, i) => i % 2 === 0)
    await Promise.all(
      cancelled.map(async (b) => {
        const r = await persist(b.i, 'POST', `/bookings/${b.booking}/cancel`, {}, b.token)
        expect(r.status, JSON.stringify(r.body)).toBe(200)
      }),
    )

    // A vendor balance from an admin adjustment, as if made last week, paid out with a transfer.
    expect(
      (
        await call(
          cluster.one,
          'PUT',
          `/vendors/${vendorId}`,
          { payout_account: 'acct_drill' },
          cluster.vendorToken,
        )
      ).status,
    ).toBe(200)
    const adjustment = await call(
      cluster.two,
      'POST',
      `/vendors/${vendorId}/ledger-adjustments`,
      { amount: 6789, currency: 'USD', reason: 'drill' },
      cluster.adminToken,
    )
    expect(adjustment.status).toBe(201)
    const db = openDatabase(cluster.database.url)
    try {
      await db.db
        .updateTable('ledger_entries')
        .set({ created_at: new Date(Date.now() - 10 * 86_400_000).toISOString() })
        .where('id', '=', adjustment.body.id)
        .execute()
      let payoutRuns = 0
      for (; payoutRuns < 20; payoutRuns++) {
        const run = await call(
          bases[payoutRuns % 2]!,
          'POST',
          `/vendors/${vendorId}/payout`,
          { period: 'weekly' },
          cluster.adminToken,
        )
        expect(run.status, JSON.stringify(run.body)).toBe(200)
        const history = await call(
          cluster.one,
          'GET',
          `/vendors/${vendorId}/payouts`,
          undefined,
          cluster.adminToken,
        )
        if (history.body.data.some((p: { status: string }) => p.status === 'paid')) break
        await sleep(200)
      }

      // What a lost answer left in flight is settled by reconciliation, asking again with the same key.
      stripe.dropAfterCommit(0)
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [cluster.cli, 'payments', 'reconcile', '--quiet-seconds', '0'],
        { env: { PATH: process.env.PATH ?? '', ...cluster.env } },
      )

      const keys = [...stripe.madePerKey]
      const objects = [...stripe.objects.values()]
      const intents = stripe.ofKind('payment_intent')
      const refunds = stripe.ofKind('refund')
      const transfers = stripe.ofKind('transfer')
      const intentsPerBooking = new Map<string, number>()
      for (const pi of intents) {
        const b = (pi.metadata as Record<string, string>).booking_id!
        intentsPerBooking.set(b, (intentsPerBooking.get(b) ?? 0) + 1)
      }
      const ours = await db.db
        .selectFrom('bookings')
        .leftJoin('payments', 'payments.booking_id', 'bookings.id')
        .select(['bookings.id', 'bookings.status', 'payments.status as payment', 'payments.provider_id'])
        .where('bookings.trip_id', '=', tripId)
        .execute()
      const ourRefunds = await db.db
        .selectFrom('refunds')
        .select(['status', 'amount', 'provider_id'])
        .execute()
      const ourPayouts = await db.db.selectFrom('payouts').select(['status', 'amount']).execute()
      const refundsMatch = ourRefunds.every(
        (r) =>
          r.status === 'succeeded' && refunds.some((s) => s.id === r.provider_id && s.amount === r.amount),
      )

      const figures = {
        'provider POSTs': stripe.requests.filter((r) => r.method === 'POST').length,
        'answers answered 503 to the client': count.unavailable,
        'client attempts': count.attempts,
        'payout runs until paid': payoutRuns + 1,
        reconciliation: stdout.trim().split('\n').pop() ?? '',
        'objects at the provider': objects.length,
        'idempotency keys used': keys.length,
        'keys with more than one object': keys.filter(([, n]) => n > 1).length,
        'objects made without a key': objects.length - keys.reduce((s, [, n]) => s + n, 0),
        'bookings with ≠ 1 charge': paid.filter((b) => intentsPerBooking.get(b.booking) !== 1).length,
        'refunds at the provider': refunds.length,
        cancellations: cancelled.length,
        'transfers at the provider': transfers.length,
        'our refunds matching the provider': refundsMatch ? 'all' : 'NO',
      }
      reportDrill(`Stripe drops ${DROP_RATE * 100}% of answers after committing`, figures)
      expect(figures['keys with more than one object']).toBe(0)
      expect(figures['objects made without a key']).toBe(0)
      expect(figures['bookings with ≠ 1 charge']).toBe(0)
      expect(intents).toHaveLength(TRAVELLERS)
      expect(refunds).toHaveLength(cancelled.length)
      expect(transfers).toHaveLength(1)
      expect(transfers[0]!.amount).toBe(6789)
      expect(ourPayouts).toEqual([{ status: 'paid', amount: 6789 }])
      expect(refundsMatch).toBe(true)
      for (const b of ours) {
        expect(b.payment).toBe('succeeded')
        expect(cancelled.some((c) => c.booking === b.id) ? 'cancelled' : 'confirmed').toBe(b.status)
        expect(intents.some((pi) => pi.id === b.provider_id)).toBe(true)
      }
    } finally {
      await db.close()
    }
  })
})
