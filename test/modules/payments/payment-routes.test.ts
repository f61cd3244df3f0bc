import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_PAYMENT_METHODS as PM } from '../../../src/modules/payments/index.js'
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

describe.each(stacks)('payments on $name (mock gateway)', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let vendor: GivenVendor
  let trip: { id: string }
  const clock = new ManualClock(new Date())
  beforeAll(async () => {
    env = await givenApp(stack, { clock })
    admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
    trip = await givenTrip(env.app, vendor, { capacity: 100 })
  })
  afterAll(() => env.close())

  const book = async (who: SignedUp, seats = 2) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: who.auth,
      payload: { trip_id: trip.id, seats },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json() as { id: string; total: { amount: number } }
  }
  const pay = (
    who: { auth: Record<string, string> },
    bookingId: string,
    method: string = PM.succeeds,
    key?: string,
  ) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/payments',
      headers: { ...who.auth, ...(key && { 'idempotency-key': key }) },
      payload: { booking_id: bookingId, payment_method: method },
    })
  const bookingOf = async (who: { auth: Record<string, string> }, id: string) =>
    (await env.app.inject({ url: `/api/v1/bookings/${id}`, headers: who.auth })).json()
  const charges = async () =>
    Number(
      (
        await env.c.db
          .selectFrom('mock_gateway_objects')
          .select((e) => e.fn.countAll().as('n'))
          .where('kind', '=', 'charge')
          .executeTakeFirstOrThrow()
      ).n,
    )
  const eventsOf = async (id: string) =>
    (await env.c.db.selectFrom('outbox').select('type').where('aggregate_id', '=', id).execute())
      .map((e) => e.type)
      .sort()

  it('when the owner pays with a good card, then 201 succeeded, the booking is confirmed, and both events are written', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const res = await pay(traveller, booking.id)
    expect(res.statusCode, res.body).toBe(201)
    const payment = res.json()
    expect(payment).toMatchObject({
      booking_id: booking.id,
      status: 'succeeded',
      amount: { amount: booking.total.amount, currency: 'EUR' },
      failure: null,
      refunded: { amount: 0, currency: 'EUR' },
    })
    expect(res.headers.location).toBe(`/api/v1/payments/${payment.id}`)
    expect((await bookingOf(traveller, booking.id)).status).toBe('confirmed')
    expect(await eventsOf(payment.id)).toEqual(['payment.succeeded'])
    expect(await eventsOf(booking.id)).toEqual(['booking.confirmed', 'booking.created'])
    const read = await env.app.inject({ url: `/api/v1/payments/${payment.id}`, headers: traveller.auth })
    expect(read.json()).toMatchObject({ id: payment.id, status: 'succeeded', refunds: [] })
    expect(
      (await env.app.inject({ url: `/api/v1/payments/${payment.id}`, headers: admin.auth })).statusCode,
    ).toBe(200)
  })

  it.each([
    [PM.declined, 'card_declined'],
    [PM.insufficientFunds, 'insufficient_funds'],
  ])(
    'when the card is %s, then 402 with the reason; the booking stays pending and another card pays it',
    async (method, code) => {
      const traveller = await givenUser(env.app)
      const booking = await book(traveller)
      const declined = expectProblem(await pay(traveller, booking.id, method), 402, 'payment.declined')
      expect(declined.detail).toContain(code)
      expect((await bookingOf(traveller, booking.id)).status).toBe('pending')
      const ok = await pay(traveller, booking.id)
      expect(ok.statusCode, ok.body).toBe(201)
      expect((await bookingOf(traveller, booking.id)).status).toBe('confirmed')
    },
  )

  it('when another traveller pays, reads or guesses a payment, then 404 and nothing is charged', async () => {
    const owner = await givenUser(env.app)
    const other = await givenUser(env.app)
    const booking = await book(owner)
    const before = await charges()
    expectProblem(await pay(other, booking.id), 404, 'booking.not_found')
    expect(await charges()).toBe(before)
    const paid = (await pay(owner, booking.id)).json()
    expectProblem(
      await env.app.inject({ url: `/api/v1/payments/${paid.id}`, headers: other.auth }),
      404,
      'payment.not_found',
    )
  })

  it('when a booking is paid, cancelled or expired, then paying it is 409 and nothing is charged', async () => {
    const traveller = await givenUser(env.app)
    const paid = await book(traveller, 1)
    expect((await pay(traveller, paid.id)).statusCode).toBe(201)
    const cancelled = await book(traveller, 1)
    await env.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${cancelled.id}/cancel`,
      headers: traveller.auth,
      payload: {},
    })
    const lapsing = await book(traveller, 1)
    const before = await charges()
    expectProblem(await pay(traveller, paid.id), 409, 'payment.already_paid')
    expectProblem(await pay(traveller, cancelled.id), 409, 'payment.booking_not_payable')
    clock.advance(16 * 60_000)
    try {
      expectProblem(await pay(traveller, lapsing.id), 409, 'payment.hold_expired')
    } finally {
      clock.advance(-16 * 60_000)
    }
    expect(await charges()).toBe(before)
  })

  it('when the card needs 3-D Secure, then 201 requires_action with the client secret; the seats stay held', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const res = await pay(traveller, booking.id, PM.needsAuthentication)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ status: 'requires_action', settled_at: null })
    expect(res.json().client_secret).toMatch(/secret/)
    const read = await bookingOf(traveller, booking.id)
    expect(read.status).toBe('pending')
    expect(Date.parse(read.hold_expires_at) - clock.now().getTime()).toBeGreaterThan(25 * 60_000)
    expectProblem(await pay(traveller, booking.id), 409, 'payment.in_progress')
  })

  it('when the provider is down, then 503 with Retry-After; the booking is untouched and a retry drives the same payment', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const before = await charges()
    const down = await pay(traveller, booking.id, PM.providerOutage)
    expectProblem(down, 503, 'payment.provider_unavailable')
    expect(down.headers['retry-after']).toBe('5')
    expect((await bookingOf(traveller, booking.id)).status).toBe('pending')
    expectProblem(await pay(traveller, booking.id, PM.providerOutage), 503, 'payment.provider_unavailable')
    const rows = await env.c.db
      .selectFrom('payments')
      .select('status')
      .where('booking_id', '=', booking.id)
      .execute()
    expect(rows).toEqual([{ status: 'processing' }])
    expect(await charges()).toBe(before)
  })

  it('when ten payments for one booking race with different idempotency keys, then one charge, one confirmation, the rest 409', async () => {
    const traveller = await givenUser(env.app)
    const booking = await book(traveller)
    const before = await charges()
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        pay(traveller, booking.id, PM.succeeds, `race-${booking.id}-${i}`),
      ),
    )
    const statuses = results.map((r) => r.statusCode).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409])
    expect(await charges()).toBe(before + 1)
    expect(await eventsOf(booking.id)).toEqual(['booking.confirmed', 'booking.created'])
    const payments = await env.c.db
      .selectFrom('payments')
      .select('status')
      .where('booking_id', '=', booking.id)
      .execute()
    expect(payments).toEqual([{ status: 'succeeded' }])
  })

  const refund = (who: { auth: Record<string, string> }, paymentId: string, payload: object = {}) =>
    env.app.inject({
      method: 'POST',
      url: `/api/v1/payments/${paymentId}/refund`,
      headers: who.auth,
      payload,
    })
  const refundsAtProvider = async () =>
    Number(
      (
        await env.c.db
          .selectFrom('mock_gateway_objects')
          .select((e) => e.fn.countAll().as('n'))
          .where('kind', '=', 'refund')
          .executeTakeFirstOrThrow()
      ).n,
    )
  const paidBooking = async (seats = 2, on = trip) => {
    const traveller = await givenUser(env.app)
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: traveller.auth,
      payload: { trip_id: on.id, seats },
    })
    const booking = res.json()
    const payment = (await pay(traveller, booking.id)).json()
    expect(payment.status).toBe('succeeded')
    return { traveller, booking, payment }
  }

  it('when partial refunds race for more than was captured, then the sum refunded never exceeds it and the rest get 409', async () => {
    const { payment } = await paidBooking(2) // 25,000 captured
    const before = await refundsAtProvider()
    const results = await Promise.all(
      Array.from({ length: 5 }, () => refund(admin, payment.id, { amount: 10_000 })),
    )
    const codes = results.map((r) => r.statusCode).sort()
    expect(codes).toEqual([201, 201, 409, 409, 409])
    for (const r of results.filter((x) => x.statusCode === 409)) expectProblem(r, 409, 'payment.over_refund')
    const read = (await env.app.inject({ url: `/api/v1/payments/${payment.id}`, headers: admin.auth })).json()
    expect(read.refunded).toEqual({ amount: 20_000, currency: 'EUR' })
    expect(read.refunds.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded'])
    expect((await refundsAtProvider()) - before).toBe(2)
    const rest = await refund(admin, payment.id)
    expect(rest.statusCode).toBe(201)
    expect(rest.json().amount.amount).toBe(5_000)
    expectProblem(await refund(admin, payment.id), 409, 'payment.over_refund')
  })

  it('when a traveller asks to refund their own payment, then 403; someone else’s, 404', async () => {
    const { traveller, payment } = await paidBooking(1)
    expectProblem(await refund(traveller, payment.id), 403, 'payment.admin_only')
    expectProblem(await refund(await givenUser(env.app), payment.id), 404, 'payment.not_found')
  })

  it.each([
    [10, 100],
    [3, 50],
    [1, 0],
  ])(
    'when a paid booking is cancelled %i days before departure, then %i%% goes back through the provider, split to the cent',
    async (days, percent) => {
      const starts = clock.now().getTime() + days * 86_400_000 + 60_000
      const soon = await givenTrip(env.app, vendor, {
        starts_at: new Date(starts).toISOString(),
        ends_at: new Date(starts + 3_600_000).toISOString(),
        price: { amount: 10_001, currency: 'EUR' },
      })
      const { traveller, booking, payment } = await paidBooking(3, soon)
      const before = await refundsAtProvider()
      const res = await env.app.inject({
        method: 'POST',
        url: `/api/v1/bookings/${booking.id}/cancel`,
        headers: traveller.auth,
        payload: {},
      })
      expect(res.statusCode, res.body).toBe(200)
      const decided = res.json().refund
      const expected = Math.round((30_003 * percent) / 100)
      expect(decided.amount).toBe(expected)
      expect(decided.commission + decided.vendor_share).toBe(decided.amount)
      const read = (
        await env.app.inject({ url: `/api/v1/payments/${payment.id}`, headers: admin.auth })
      ).json()
      expect(read.refunded.amount).toBe(expected)
      expect((await refundsAtProvider()) - before).toBe(expected > 0 ? 1 : 0)
      if (expected > 0) {
        expect(read.refunds).toEqual([
          expect.objectContaining({ status: 'succeeded', amount: { amount: expected, currency: 'EUR' } }),
        ])
        const events = await eventsOf(payment.id)
        expect(events).toEqual(['payment.refunded', 'payment.succeeded'])
      }
    },
  )

  it('when a vendor cancels its trip, then every paid booking is refunded in full through the provider', async () => {
    const own = await givenTrip(env.app, vendor, { capacity: 20 })
    const paid = [await paidBooking(1, own), await paidBooking(2, own)]
    const before = await refundsAtProvider()
    const res = await env.app.inject({
      method: 'DELETE',
      url: `/api/v1/trips/${own.id}`,
      headers: vendor.auth,
    })
    expect(res.statusCode, res.body).toBe(204)
    expect((await refundsAtProvider()) - before).toBe(2)
    for (const p of paid) {
      const read = (
        await env.app.inject({ url: `/api/v1/payments/${p.payment.id}`, headers: admin.auth })
      ).json()
      expect(read.refunded).toEqual(read.amount)
    }
  })

  it('when a paid, partly refunded booking’s invoice is fetched, then a PDF shows its number, amounts and refund; the number stays', async () => {
    const { traveller, booking, payment } = await paidBooking(2)
    expect((await refund(admin, payment.id, { amount: 2_500, reason: 'Goodwill' })).statusCode).toBe(201)
    // The booking shows its payment and the refund.
    expect((await bookingOf(traveller, booking.id)).payments).toEqual([
      expect.objectContaining({
        id: payment.id,
        status: 'succeeded',
        refunded: { amount: 2_500, currency: 'EUR' },
        refunds: [
          expect.objectContaining({
            status: 'succeeded',
            amount: { amount: 2_500, currency: 'EUR' },
            reason: 'Goodwill',
          }),
        ],
      }),
    ])
    const get = (who: { auth: Record<string, string> }, copy = '') =>
      env.app.inject({ url: `/api/v1/bookings/${booking.id}/invoice${copy}`, headers: who.auth })
    const first = await get(traveller)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.headers['content-type']).toBe('application/pdf')
    const text = pdfText(first.rawPayload)
    const number = /Invoice (\d{6})/.exec(text)?.[1]
    expect(number).toBeDefined()
    expect(text).toContain('Vera Tours')
    expect(text).toContain('2 x EUR')
    expect(text).toContain('Total: EUR')
    expect(text).toMatch(/Refund: EUR\s?25\.00/)
    expect(text).toMatch(/Net paid: EUR\s?225\.00/)
    expect(text).not.toContain('commission')
    expect(pdfText((await get(admin)).rawPayload)).toContain(`Invoice ${number}`)
    const vendorCopy = pdfText((await get(vendor, '?copy=vendor')).rawPayload)
    expect(vendorCopy).toMatch(/Platform commission \(20%\): EUR\s?45\.00/)
    expect(vendorCopy).toMatch(/Vendor share: EUR\s?180\.00/)
    expectProblem(await get(await givenUser(env.app)), 404, 'booking.not_found')
    expectProblem(await get(traveller, '?copy=vendor'), 404, 'booking.not_found')
    const unpaid = await book(traveller, 1)
    expectProblem(
      await env.app.inject({ url: `/api/v1/bookings/${unpaid.id}/invoice`, headers: traveller.auth }),
      409,
      'invoice.not_paid',
    )
  })
})

/** The text of a PDF, as pdftotext (Debian's poppler-utils) reads it. */
function pdfText(pdf: Buffer): string {
  const res = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf })
  if (res.status !== 0) throw new Error(`pdftotext failed: ${res.stderr}`)
  return res.stdout.toString()
}
