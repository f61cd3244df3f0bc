import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expireHolds } from '../../../src/modules/bookings/index.js'
import { TEST_PAYMENT_METHODS as PM, reconcilePayments } from '../../../src/modules/payments/index.js'
import { ManualClock } from '../../../src/shared/clock.js'
import {
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
  type SignedUp,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'
import { type StripeServer, startStripeServer } from '../../support/stripe-server.js'

describe.each(stacks)('payments through Stripe (the SDK on the test server) on $name', (stack) => {
  let env: TestEnv
  let server: StripeServer
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let vendor: GivenVendor
  let trip: { id: string }
  const clock = new ManualClock(new Date())
  beforeAll(async () => {
    server = await startStripeServer()
    env = await givenApp(
      stack,
      { clock },
      {
        PAYMENTS: 'stripe',
        STRIPE_SECRET_KEY: 'sk_test_travellr',
        STRIPE_WEBHOOK_SECRET: server.webhookSecret,
        STRIPE_API_BASE: server.base,
      },
    )
    admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
    trip = await givenTrip(env.app, vendor, { capacity: 50 })
  })
  afterAll(async () => {
    await env?.close()
    await server?.close()
  })

  const book = async (who: SignedUp, seats = 1, on = trip) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: who.auth,
      payload: { trip_id: on.id, seats },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as { id: string }
  }
  const pay = (who: SignedUp, bookingId: string, method: string = PM.succeeds) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/payments',
      headers: who.auth,
      payload: { booking_id: bookingId, payment_method: method },
    })
  const deliver = (event: { payload: string; signature: string }) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': event.signature },
      payload: event.payload,
    })
  const statusOf = async (bookingId: string) =>
    (
      await env.c.db
        .selectFrom('bookings')
        .select('status')
        .where('id', '=', bookingId)
        .executeTakeFirstOrThrow()
    ).status
  const eventsOf = async (id: string) =>
    (await env.c.db.selectFrom('outbox').select('type').where('aggregate_id', '=', id).execute())
      .map((e) => e.type)
      .sort()
  const intentOf = (paymentId: string) =>
    server
      .ofKind('payment_intent')
      .find((o) => (o.metadata as Record<string, string>).payment_id === paymentId)!

  it('when a traveller pays, then Stripe is called with our key and the booking is confirmed', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const res = await pay(traveller, booking.id)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().status).toBe('succeeded')
    expect(server.requests.some((r) => r.idempotencyKey === `payment:${res.json().id}`)).toBe(true)
    expect(await statusOf(booking.id)).toBe('confirmed')
  })

  it('when 3-D Secure finishes and its events arrive three times, shuffled, racing each other, then one payment, one confirmation, one event', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const started = (await pay(traveller, booking.id, PM.needsAuthentication)).json()
    expect(started.status).toBe('requires_action')
    const intent = intentOf(started.id)
    const waiting = server.signedEvent('payment_intent.requires_action', { ...intent })
    const done = server.completeAction(intent.id)
    const succeeded = server.signedEvent('payment_intent.succeeded', { ...done })
    const deliveries = [succeeded, waiting, succeeded, succeeded, waiting]
    const answers = await Promise.all(deliveries.map(deliver))
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect(await statusOf(booking.id)).toBe('confirmed')
    expect(await eventsOf(booking.id)).toEqual(['booking.confirmed', 'booking.created'])
    expect(await eventsOf(started.id)).toEqual(['payment.succeeded'])
    const payments = await env.c.db
      .selectFrom('payments')
      .select('status')
      .where('booking_id', '=', booking.id)
      .execute()
    expect(payments).toEqual([{ status: 'succeeded' }])
  })

  it('when a webhook has a bad signature, a stale timestamp or a re-serialized body, then 400 and no effect', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const started = (await pay(traveller, booking.id, PM.needsAuthentication)).json()
    const done = server.completeAction(intentOf(started.id).id)
    const good = server.signedEvent('payment_intent.succeeded', { ...done })
    const stale = server.signedEvent(
      'payment_intent.succeeded',
      { ...done },
      Math.floor(Date.now() / 1000) - 301,
    )
    for (const bad of [
      {
        payload: good.payload,
        signature: good.signature.replace(/v1=(.)/, (_, c) => `v1=${c === '0' ? '1' : '0'}`),
      },
      stale,
      { payload: JSON.stringify(JSON.parse(good.payload)), signature: good.signature },
      { payload: good.payload, signature: '' },
    ]) {
      expectProblem(await deliver(bad), 400, 'webhook.bad_signature')
    }
    expect(await statusOf(booking.id)).toBe('pending')
    expect((await deliver(good)).statusCode).toBe(200)
    expect(await statusOf(booking.id)).toBe('confirmed')
  })

  /**
   * A one-seat trip whose booking waits for 3-D Secure past its hold: the hold expires, `meanwhile`
   * runs, then the customer finishes and Stripe's success arrives.
   */
  async function threeDsFinishingAfterTheHold(meanwhile: (trip: { id: string }) => Promise<void>) {
    const traveller = await givenUser(env.app)
    const small = await givenTrip(env.app, vendor, { capacity: 1 })
    const booking = await book(traveller, 1, small)
    const started = (await pay(traveller, booking.id, PM.needsAuthentication)).json()
    clock.advance(31 * 60_000)
    try {
      await expireHolds({ db: env.c.db, clock, cache: env.c.cache })
      expect(await statusOf(booking.id)).toBe('expired')
      await meanwhile(small)
      const done = server.completeAction(intentOf(started.id).id)
      expect((await deliver(server.signedEvent('payment_intent.succeeded', { ...done }))).statusCode).toBe(
        200,
      )
    } finally {
      clock.advance(-31 * 60_000)
    }
    return { small, booking, started }
  }

  it('when 3-D Secure finishes after the hold lapsed, then the money goes back automatically and no seat is sold twice', async () => {
    const { small, booking, started } = await threeDsFinishingAfterTheHold(async (small) => {
      await book(await givenUser(env.app), 1, small) // the seat is sold again meanwhile
    })
    const payment = (
      await env.app.inject({ url: `/api/v1/payments/${started.id}`, headers: admin.auth })
    ).json()
    expect(payment.status).toBe('succeeded')
    expect(payment.refunded).toEqual(payment.amount)
    expect(payment.refunds).toEqual([expect.objectContaining({ status: 'succeeded' })])
    expect(await statusOf(booking.id)).toBe('expired')
    const seats = await env.c.db
      .selectFrom('trips')
      .select(['seats_taken', 'capacity'])
      .where('id', '=', small.id)
      .executeTakeFirstOrThrow()
    expect(seats).toEqual({ seats_taken: 1, capacity: 1 })
  })

  it('when 3-D Secure finishes after the hold lapsed and the seats are still free, then they are taken again and the booking confirmed', async () => {
    const { small, booking, started } = await threeDsFinishingAfterTheHold(async () => {})
    expect(await statusOf(booking.id)).toBe('confirmed')
    const payment = (
      await env.app.inject({ url: `/api/v1/payments/${started.id}`, headers: admin.auth })
    ).json()
    expect(payment).toMatchObject({ status: 'succeeded', refunds: [] })
    const seats = await env.c.db
      .selectFrom('trips')
      .select(['seats_taken', 'capacity'])
      .where('id', '=', small.id)
      .executeTakeFirstOrThrow()
    expect(seats).toEqual({ seats_taken: 1, capacity: 1 })
    expect(await eventsOf(booking.id)).toEqual(['booking.confirmed', 'booking.created', 'booking.expired'])
  })

  it('when the provider charged but the answer was lost (a crash, a dropped connection), then reconciliation confirms the booking with exactly one charge', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    // The provider commits the charge and the connection drops; the SDK's retries then meet errors.
    server.failNext('commit-then-drop', 'answer-500', 'answer-500')
    expectProblem(await pay(traveller, booking.id), 503, 'payment.provider_unavailable')
    const row = await env.c.db
      .selectFrom('payments')
      .select(['id', 'status'])
      .where('booking_id', '=', booking.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('processing')
    expect(await statusOf(booking.id)).toBe('pending')
    clock.advance(2 * 60_000)
    try {
      const done = await reconcilePayments({ db: env.c.db, clock, gateway: env.c.gateway })
      expect(done.payments).toBeGreaterThanOrEqual(1)
    } finally {
      clock.advance(-2 * 60_000)
    }
    expect(await statusOf(booking.id)).toBe('confirmed')
    const intents = server
      .ofKind('payment_intent')
      .filter((o) => (o.metadata as Record<string, string>).payment_id === row.id)
    expect(intents).toHaveLength(1)
  })
})
