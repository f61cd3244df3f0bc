import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContainer, type Container } from '../../../src/container.js'
import { compileMonthlyReport } from '../../../src/modules/admin/index.js'
import { commissionOn, completeEndedTrips } from '../../../src/modules/bookings/index.js'
import { createStripeGateway } from '../../../src/modules/payments/index.js'
import { runPayouts, vendorShareOf } from '../../../src/modules/payouts/index.js'
import { ManualClock } from '../../../src/shared/clock.js'
import { startWorker } from '../../../src/worker.js'
import {
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenReseller,
  givenUser,
  givenVendor,
  tripBody,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'
import { type StripeServer, startStripeServer } from '../../support/stripe-server.js'

const DAY = 86_400_000

describe.each(stacks)('vendor payouts on $name', (stack) => {
  let env: TestEnv
  /** The jobs' side of the service, on a clock the test moves (the API keeps real time, so tokens stay valid). */
  let jobs: Container
  let worker: { stop(): Promise<void> }
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let traveller: Awaited<ReturnType<typeof givenUser>>
  const clock = new ManualClock(new Date())

  beforeAll(async () => {
    env = await givenApp(stack, {}, { JOB_BACKOFF_MS: '50' })
    // One database connection for both: two SQLite connections in one process would wait on each other.
    jobs = buildContainer(env.c.config, { clock, database: env.c.database })
    worker = await startWorker(jobs)
    admin = await givenAdmin(env)
    traveller = await givenUser(env.app)
  })
  afterAll(async () => {
    await worker.stop()
    await jobs.close()
    await env.close()
  })

  const inject = async (
    method: string,
    url: string,
    who: { authorization: string } | undefined,
    payload?: object,
  ) => env.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: who, payload })

  async function vendorWith(account: string | null): Promise<GivenVendor> {
    const v = await givenVendor(env.app, admin)
    if (account !== null) {
      const r = await inject('PUT', `/vendors/${v.id}`, v.auth, { payout_account: account })
      expect(r.statusCode, r.body).toBe(200)
    }
    return v
  }

  /** A trip of `vendor`, booked and paid for `seats` seats at `price`, that ends within the hour; returns the booking and payment. */
  async function sale(vendor: GivenVendor, price: number, seats = 1, currency = 'EUR') {
    const now = Date.now()
    const trip = await inject('POST', '/trips', vendor.auth, {
      ...tripBody({}, now),
      starts_at: new Date(now + DAY).toISOString(),
      ends_at: new Date(now + DAY + 3_600_000).toISOString(),
      price: { amount: price, currency },
      capacity: 50,
    })
    expect(trip.statusCode, trip.body).toBe(201)
    const booking = await inject('POST', '/bookings', traveller.auth, { trip_id: trip.json().id, seats })
    expect(booking.statusCode, booking.body).toBe(201)
    const paid = await inject('POST', '/payments', traveller.auth, {
      booking_id: booking.json().id,
      payment_method: 'pm_card_visa',
    })
    expect(paid.statusCode, paid.body).toBe(201)
    return { bookingId: booking.json().id as string, paymentId: paid.json().id as string }
  }

  /** Time passes beyond the trips' ends; completion runs and its events reach the ledger. */
  async function completeAll() {
    clock.set(new Date(Math.max(clock.now().getTime(), Date.now()) + 2 * DAY))
    await completeEndedTrips(jobs)
    await expect
      .poll(
        async () => {
          const pending = await env.c.db
            .selectFrom('outbox')
            .select('id')
            .where('processed_at', 'is', null)
            .execute()
          return pending.length
        },
        { timeout: 15_000 },
      )
      .toBe(0)
    // With BullMQ, relayed is not yet handled: wait for the queue to be empty too.
    await expect
      .poll(
        async () => {
          const c = await jobs.queue.counts()
          return c.waiting + c.active
        },
        { timeout: 15_000 },
      )
      .toBe(0)
  }

  const earnings = async (vendor: GivenVendor, currency = 'EUR') =>
    ((await inject('GET', `/vendors/${vendor.id}/earnings`, vendor.auth)).json().earnings as any[]).find(
      (e) => e.currency === currency,
    )

  const nextWeek = () => {
    clock.advance(7 * DAY)
    return { kind: 'weekly' as const, at: clock.now() }
  }

  it('when weekly payouts run twice and on three workers at once, then each vendor is paid its share once, to the cent', async () => {
    const a = await vendorWith('acct_vendor_a')
    const b = await vendorWith('acct_vendor_b')
    await sale(a, 10_001, 3) // 300.03: commission 60.01, share 240.02
    await sale(b, 12_345, 1) // 123.45: commission 24.69, share 98.76
    await completeAll()
    expect(await earnings(a)).toMatchObject({ available: 24_002, paid_out: 0 })
    const week = nextWeek()
    const runs = await Promise.all([1, 2, 3].map(() => runPayouts(jobs, week)))
    await runPayouts(jobs, week)
    const paid = runs
      .flatMap((r) => r.outcomes)
      .filter((o) => o.result === 'paid' && [a.id, b.id].includes(o.vendorId))
    expect(paid.map((o) => o.vendorId).sort()).toEqual([a.id, b.id].sort())
    const transfers = await env.c.db
      .selectFrom('mock_gateway_objects')
      .select('key')
      .where('kind', '=', 'transfer')
      .execute()
    for (const v of [a, b])
      expect(transfers.filter((t) => t.key.startsWith(`payout:${v.id}:EUR:`))).toHaveLength(1)
    expect(await earnings(a)).toMatchObject({ available: 0, paid_out: 24_002 })
    expect(await earnings(b)).toMatchObject({ available: 0, paid_out: 9876 })
    // One vendor.payout event each (the receipt mail hangs on it).
    const events = await env.c.db
      .selectFrom('outbox')
      .select('aggregate_id')
      .where('type', '=', 'vendor.payout')
      .execute()
    for (const v of [a, b]) expect(events.filter((e) => e.aggregate_id === v.id)).toHaveLength(1)
    // Every booking: commission + vendor share = captured − refunded; the ledger holds the share.
    const books = await env.c.db
      .selectFrom('bookings as bk')
      .innerJoin('payments as p', 'p.booking_id', 'bk.id')
      .innerJoin('trips as t', 't.id', 'bk.trip_id')
      .select(['bk.id', 'bk.commission_bps', 'p.amount', 'p.refunded_amount'])
      .where('t.vendor_id', 'in', [a.id, b.id])
      .where('p.status', '=', 'succeeded')
      .execute()
    for (const bk of books) {
      const kept = Number(bk.amount) - Number(bk.refunded_amount)
      const share = vendorShareOf(kept, bk.commission_bps)
      const credited = await env.c.db
        .selectFrom('ledger_entries')
        .select('amount')
        .where('booking_id', '=', bk.id)
        .execute()
      expect(credited.reduce((sum, e) => sum + Number(e.amount), 0)).toBe(share)
      expect(commissionOn(kept, bk.commission_bps) + share).toBe(kept)
    }
    const history = (await inject('GET', `/vendors/${a.id}/payouts`, a.auth)).json().data
    expect(history).toHaveLength(1)
    expect(history[0]).toMatchObject({
      status: 'paid',
      amount: 24_002,
      currency: 'EUR',
      period: week.kind === 'weekly' ? expect.stringMatching(/^weekly:\d{4}-\d{2}-\d{2}$/) : '',
    })
    expect(history[0].entries.map((e: any) => [e.kind, e.amount])).toEqual([['booking', 24_002]])
  })

  it('when a reseller sells through OCTO, then the vendor earns its share of the net price, paid out like any sale; the statement and analytics show the channel', async () => {
    const vendor = await vendorWith('acct_vendor_octo')
    const reseller = await givenReseller(env.app, admin, vendor, { commissionBps: 1500, name: 'Payout OTA' })
    const now = Date.now()
    const trip = await inject('POST', '/trips', vendor.auth, {
      ...tripBody({}, now),
      starts_at: new Date(now + DAY).toISOString(),
      ends_at: new Date(now + DAY + 3_600_000).toISOString(),
      price: { amount: 10_001, currency: 'EUR' },
      capacity: 50,
    })
    expect(trip.statusCode, trip.body).toBe(201)
    const octo = (url: string, payload: object) =>
      env.app.inject({
        method: 'POST',
        url: `/octo${url}`,
        headers: { authorization: `Bearer ${reseller.key}` },
        payload,
      })
    const held = await octo('/bookings', {
      uuid: randomUUID(),
      productId: trip.json().product_id,
      optionId: 'DEFAULT',
      availabilityId: trip.json().starts_at_local,
      unitItems: [{ unitId: 'adult' }, { unitId: 'adult' }, { unitId: 'adult' }],
    })
    expect(held.statusCode, held.body).toBe(200)
    const confirmed = await octo(`/bookings/${held.json().uuid}/confirm`, { contact: { fullName: 'Ana' } })
    expect(confirmed.json().status).toBe('CONFIRMED')
    // 300.03 retail, the reseller keeps 15% (45.00): it owes 255.03; the platform takes 20% of that.
    const net = 30_003 - 4500
    await completeAll()
    expect(await earnings(vendor)).toMatchObject({ available: vendorShareOf(net, 2000) })
    const paid = await runPayouts(jobs, nextWeek())
    expect(paid.outcomes.find((o) => o.vendorId === vendor.id)).toMatchObject({
      result: 'paid',
      payout: { amount: vendorShareOf(net, 2000) },
    })

    const month = new Date().toISOString().slice(0, 7)
    const statement = (await inject('GET', `/admin/resellers/statement?month=${month}`, admin.auth)).json()
    expect(statement.lines.find((l: any) => l.reseller_id === reseller.id)).toEqual({
      reseller_id: reseller.id,
      reseller_name: 'Payout OTA',
      bookings: 1,
      seats: 3,
      retail: { amount: 30_003, currency: 'EUR' },
      net: { amount: net, currency: 'EUR' },
      credits: { amount: 0, currency: 'EUR' },
      due: { amount: net, currency: 'EUR' },
    })
    // The admins' monthly report mail carries the same line.
    expect((await compileMonthlyReport(env.c, month)).resellers).toContainEqual({
      name: 'Payout OTA',
      currency: 'EUR',
      due: net,
    })
    const from = new Date(now - DAY).toISOString()
    const to = new Date(now + DAY).toISOString()
    const analytics = (await inject('GET', `/admin/analytics?from=${from}&to=${to}`, admin.auth)).json()
    const eur = analytics.currencies.find((c: any) => c.currency === 'EUR')
    expect(eur.by_channel.find((c: any) => c.channel === 'octo')).toMatchObject({
      gross_booking_value: expect.any(Number),
    })
    expect(eur.by_channel.find((c: any) => c.channel === 'octo').captured).toBeGreaterThanOrEqual(net)
  })

  it('when a vendor earned 49.99, then nothing is paid and the amount joins the next period’s payout', async () => {
    const v = await vendorWith('acct_vendor_small')
    await sale(v, 6249) // commission 12.50, share 49.99
    await completeAll()
    const first = await runPayouts(jobs, nextWeek())
    expect(first.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'carried',
      amount: 4999,
      reason: 'below_minimum',
    })
    expect(await earnings(v)).toMatchObject({ available: 4999, paid_out: 0 })
    await sale(v, 6249)
    await completeAll()
    const second = await runPayouts(jobs, nextWeek())
    expect(second.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'paid',
      payout: { amount: 9998 },
    })
  })

  it('when a booking is refunded after its vendor was paid, then the next payout is smaller by the refunded share, and a negative balance carries', async () => {
    const v = await vendorWith('acct_vendor_refund')
    const first = await sale(v, 20_000, 1) // share 160.00
    await completeAll()
    expect((await runPayouts(jobs, nextWeek())).outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'paid',
    })
    // The admin refunds 50.00 of the completed booking: the vendor gives back its share, 40.00.
    const refund = await inject('POST', `/payments/${first.paymentId}/refund`, admin.auth, {
      amount: 5000,
      reason: 'goodwill',
    })
    expect(refund.statusCode, refund.body).toBe(201)
    await sale(v, 10_000, 1) // share 80.00
    await completeAll()
    expect(await earnings(v)).toMatchObject({ available: 4000 })
    const second = await runPayouts(jobs, nextWeek())
    expect(second.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'carried',
      reason: 'below_minimum',
      amount: 4000,
    })
    // A refund larger than what is left makes the balance negative: nothing is paid, it carries on.
    const again = await inject('POST', `/payments/${first.paymentId}/refund`, admin.auth, {
      amount: 10_000,
      reason: 'complaint',
    })
    expect(again.statusCode, again.body).toBe(201)
    await completeAll()
    expect(await earnings(v)).toMatchObject({ available: -4000 })
    const third = await runPayouts(jobs, nextWeek())
    expect(third.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'carried',
      reason: 'negative_balance',
      amount: -4000,
    })
  })

  it('when the provider rejects a transfer, then no payout is paid and its entries come back in the next run', async () => {
    const v = await vendorWith('acct_rejects_transfers')
    await sale(v, 10_000, 1) // share 80.00
    await completeAll()
    const failed = await runPayouts(jobs, nextWeek())
    expect(failed.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'failed',
      payout: { status: 'failed' },
    })
    expect(await earnings(v)).toMatchObject({ available: 8000, paid_out: 0 })
    expect(
      (await inject('PUT', `/vendors/${v.id}`, v.auth, { payout_account: 'acct_fixed' })).statusCode,
    ).toBe(200)
    const next = await runPayouts(jobs, nextWeek())
    expect(next.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'paid',
      payout: { amount: 8000 },
    })
    const history = (await inject('GET', `/vendors/${v.id}/payouts`, v.auth)).json().data
    expect(history.map((p: any) => p.status)).toEqual(['paid', 'failed'])
  })

  it('when a vendor has no payout account, then its balance is carried with that reason', async () => {
    const v = await vendorWith(null)
    await sale(v, 10_000, 1)
    await completeAll()
    const run = await runPayouts(jobs, nextWeek())
    expect(run.outcomes.find((o) => o.vendorId === v.id)).toMatchObject({
      result: 'carried',
      reason: 'no_payout_account',
      amount: 8000,
    })
  })

  it('when a vendor’s payouts in a year pass 20,000.00 USD, then it is flagged for a 1099 once, visible to it and to admins', async () => {
    const v = await vendorWith('acct_vendor_usd')
    await sale(v, 900_000, 3, 'USD') // 27,000.00: share 21,600.00
    await completeAll()
    await runPayouts(jobs, nextWeek())
    await sale(v, 10_000, 1, 'USD')
    await completeAll()
    await runPayouts(jobs, nextWeek())
    for (const who of [v.auth, admin.auth]) {
      const body = (await inject('GET', `/vendors/${v.id}/earnings`, who)).json()
      expect(body.tax_forms).toHaveLength(1)
      expect(body.tax_forms[0]).toMatchObject({ form: '1099', total_paid_usd: 2_160_000 })
    }
  })

  it('when someone else asks for a vendor’s money, then it does not exist for them; admins adjust the ledger with a reason', async () => {
    const v = await vendorWith('acct_vendor_private')
    const other = await vendorWith('acct_vendor_other')
    expectProblem(await inject('GET', `/vendors/${v.id}/earnings`, other.auth), 404)
    expectProblem(await inject('GET', `/vendors/${v.id}/payouts`, traveller.auth), 404)
    expectProblem(await inject('POST', `/vendors/${v.id}/payout`, v.auth, { period: 'weekly' }), 404)
    expectProblem(
      await inject('POST', `/vendors/${v.id}/ledger-adjustments`, v.auth, {
        amount: 100,
        currency: 'EUR',
        reason: 'mine',
      }),
      404,
    )
    const adj = await inject('POST', `/vendors/${v.id}/ledger-adjustments`, admin.auth, {
      amount: 6000,
      currency: 'EUR',
      reason: 'Late fee returned',
    })
    expect(adj.statusCode, adj.body).toBe(201)
    expect(adj.json()).toMatchObject({
      kind: 'adjustment',
      amount: 6000,
      reason: 'Late fee returned',
      created_by: admin.id,
    })
    expectProblem(
      await inject('POST', `/vendors/${v.id}/ledger-adjustments`, admin.auth, {
        amount: 0,
        currency: 'EUR',
        reason: 'nothing',
      }),
      400,
    )
    // As if the adjustment had been made in the last closed week.
    await env.c.db
      .updateTable('ledger_entries')
      .set({ created_at: new Date(Date.now() - 10 * DAY).toISOString() })
      .where('id', '=', adj.json().id)
      .execute()
    const run = await inject('POST', `/vendors/${v.id}/payout`, admin.auth, { period: 'weekly' })
    expect(run.statusCode, run.body).toBe(200)
    expect(run.json().outcomes).toEqual([
      expect.objectContaining({ currency: 'EUR', result: 'paid', amount: 6000 }),
    ])
    // Again: nothing is left to pay for that period, and the provider moved the money once.
    const again = await inject('POST', `/vendors/${v.id}/payout`, admin.auth, { period: 'weekly' })
    expect(again.json().outcomes).toEqual([])
    const transfers = await env.c.db
      .selectFrom('mock_gateway_objects')
      .select('key')
      .where('kind', '=', 'transfer')
      .where('key', 'like', `payout:${v.id}:%`)
      .execute()
    expect(transfers).toHaveLength(1)
  })
})

describe.runIf(stacks.some((s) => s.dialect === 'postgres'))('payouts through the Stripe test server', () => {
  let stripe: StripeServer
  let env: TestEnv
  beforeAll(async () => {
    stripe = await startStripeServer()
    env = await givenApp(stacks.find((s) => s.dialect === 'postgres')!)
  })
  afterAll(async () => {
    await env.close()
    await stripe.close()
  })

  it('when three runs pay the same period at once, then the provider makes one transfer per vendor and currency', async () => {
    const admin = await givenAdmin(env)
    const vendors = await Promise.all([1, 2, 3].map(() => givenVendor(env.app, admin)))
    const at = new Date()
    for (const v of vendors) {
      await env.c.db
        .updateTable('vendors')
        .set({ payout_account: `acct_${v.id.slice(4, 14)}` })
        .where('id', '=', v.id)
        .execute()
      await env.c.db
        .insertInto('ledger_entries')
        .values({
          id: `led_${v.id.slice(4)}`,
          vendor_id: v.id,
          currency: 'USD',
          amount: 12_345,
          kind: 'adjustment',
          booking_id: null,
          source_id: `seed:${v.id}`,
          payout_id: null,
          reason: 'test balance',
          created_by: null,
          created_at: new Date(at.getTime() - 30 * DAY).toISOString(),
        })
        .execute()
    }
    const gateway = createStripeGateway({ secretKey: 'sk_test_payouts', apiBase: stripe.base })
    const deps = { ...env.c, gateway }
    await Promise.all([1, 2, 3].map(() => runPayouts(deps, { kind: 'weekly', at })))
    await runPayouts(deps, { kind: 'weekly', at })
    const transfers = stripe.ofKind('transfer')
    expect(transfers).toHaveLength(3)
    expect(transfers.every((t: any) => t.amount === 12_345 && t.currency === 'usd')).toBe(true)
  })
})
