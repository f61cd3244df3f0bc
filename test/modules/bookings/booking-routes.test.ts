import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { confirmBooking, expireHolds } from '../../../src/modules/bookings/index.js'
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

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe.each(stacks)('bookings on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let vendor: GivenVendor
  const clock = new ManualClock(new Date())
  beforeAll(async () => {
    env = await givenApp(stack, { clock })
    admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
  })
  afterAll(() => env.close())

  const book = (
    who: { auth: Record<string, string> },
    payload: object,
    headers: Record<string, string> = {},
  ) =>
    env.app.inject({ method: 'POST', url: '/api/v1/bookings', headers: { ...who.auth, ...headers }, payload })
  const get = (who: { auth: Record<string, string> }, id: string) =>
    env.app.inject({ url: `/api/v1/bookings/${id}`, headers: who.auth })
  const cancel = (who: { auth: Record<string, string> }, id: string, payload: object = {}) =>
    env.app.inject({ method: 'POST', url: `/api/v1/bookings/${id}/cancel`, headers: who.auth, payload })
  const seatsAvailable = async (tripId: string) =>
    (await env.app.inject(`/api/v1/trips/${tripId}`)).json().seats_available
  const rowOfTrip = (id: string) =>
    env.c.db
      .selectFrom('trips')
      .select(['capacity', 'seats_taken'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  const tripIn = (days: number, extra: Record<string, unknown> = {}, hours = 6) => {
    const starts = clock.now().getTime() + days * DAY
    return givenTrip(env.app, vendor, {
      starts_at: new Date(starts).toISOString(),
      ends_at: new Date(starts + hours * HOUR).toISOString(),
      ...extra,
    })
  }
  /** Moves the clock within the hour access tokens live, and back afterwards. */
  async function later<T>(ms: number, run: () => Promise<T>): Promise<T> {
    clock.advance(ms)
    try {
      return await run()
    } finally {
      clock.advance(-ms)
    }
  }
  const MINUTE = 60_000

  it("when a traveller books, then 201 pending with the server's total, a hold, a booking.created event and fewer seats", async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30, { price: { amount: 4999, currency: 'EUR' }, capacity: 8 })
    const res = await book(t, { trip_id: trip.id, seats: 3, notes: 'Vegetarian' })
    expect(res.statusCode).toBe(201)
    const b = res.json()
    expect(b).toMatchObject({
      status: 'pending',
      seats: 3,
      user_id: t.id,
      total: { amount: 14_997, currency: 'EUR' },
      unit_price: { amount: 4999, currency: 'EUR' },
    })
    expect(Date.parse(b.hold_expires_at) - clock.now().getTime()).toBe(15 * 60_000)
    expect(await seatsAvailable(trip.id)).toBe(5)
    const events = await env.c.db
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', b.id)
      .execute()
    expect(events.map((e) => e.type)).toEqual(['booking.created'])
  })

  it.each([
    [{ total: { amount: 1, currency: 'EUR' } }, 'total'],
    [{ price: 1 }, 'price'],
    [{ status: 'confirmed' }, 'status'],
    [{ user_id: 'usr_01m87rjkzwytz6r2swz8waa1fg' }, 'user_id'],
    [{ seats: 0 }, 'seats'],
    [{ seats: 1.5 }, 'seats'],
    [{ seats: '2' }, 'seats'],
  ])('when the body has %j, then 400 naming %s and nothing is held', async (extra, field) => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30)
    const body = expectProblem(await book(t, { trip_id: trip.id, seats: 2, ...extra }), 400)
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await seatsAvailable(trip.id)).toBe(10)
  })

  it('when more seats are asked than are left, then 409 booking.sold_out and nothing is held', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30, { capacity: 4 })
    expect((await book(t, { trip_id: trip.id, seats: 3 })).statusCode).toBe(201)
    expectProblem(
      await book(await givenUser(env.app), { trip_id: trip.id, seats: 2 }),
      409,
      'booking.sold_out',
    )
    expect(await rowOfTrip(trip.id)).toEqual({ capacity: 4, seats_taken: 3 })
  })

  it('when a traveller would hold more than 10 seats across pending bookings, then 409 booking.hold_limit', async () => {
    const t = await givenUser(env.app)
    const a = await tripIn(30)
    const b = await tripIn(31)
    expect((await book(t, { trip_id: a.id, seats: 6 })).statusCode).toBe(201)
    expectProblem(await book(t, { trip_id: b.id, seats: 5 }), 409, 'booking.hold_limit')
    expect((await book(t, { trip_id: b.id, seats: 4 })).statusCode).toBe(201)
  })

  it('when a vendor or admin tries to book, then 403', async () => {
    const trip = await tripIn(30)
    expectProblem(await book(vendor, { trip_id: trip.id, seats: 1 }), 403, 'booking.travellers_only')
    expectProblem(await book(admin, { trip_id: trip.id, seats: 1 }), 403)
  })

  it('when the trip is cancelled, unknown, or already left, then no booking', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30)
    await env.app.inject({ method: 'DELETE', url: `/api/v1/trips/${trip.id}`, headers: vendor.auth })
    expectProblem(await book(t, { trip_id: trip.id, seats: 1 }), 409, 'booking.trip_not_bookable')
    expectProblem(
      await book(t, { trip_id: 'trp_00000000000000000000000000', seats: 1 }),
      404,
      'trip.not_found',
    )
    const soon = await tripIn(10 / (24 * 60))
    await later(11 * MINUTE, async () => {
      expectProblem(await book(t, { trip_id: soon.id, seats: 1 }), 409, 'booking.trip_not_bookable')
    })
  })

  it('when the same Idempotency-Key is retried, then the same booking comes back and no more seats are held', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30)
    const first = await book(t, { trip_id: trip.id, seats: 2 }, { 'idempotency-key': 'book-once' })
    const again = await book(t, { trip_id: trip.id, seats: 2 }, { 'idempotency-key': 'book-once' })
    expect(again.json().id).toBe(first.json().id)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(await seatsAvailable(trip.id)).toBe(8)
    // Even if the stored answer were lost (a crash between commit and reply), the key finds the booking.
    await env.c.db.deleteFrom('idempotency_keys').execute()
    const afterCrash = await book(t, { trip_id: trip.id, seats: 2 }, { 'idempotency-key': 'book-once' })
    expect(afterCrash.json().id).toBe(first.json().id)
    expect(await seatsAvailable(trip.id)).toBe(8)
  })

  describe("when traveller A goes after traveller B's booking", () => {
    let a: SignedUp
    let b: SignedUp
    let bookingId: string
    beforeAll(async () => {
      a = await givenUser(env.app)
      b = await givenUser(env.app)
      bookingId = (await book(b, { trip_id: (await tripIn(30)).id, seats: 2, notes: 'B' })).json().id
    })

    it('reading, changing and cancelling are 404, and nothing changes', async () => {
      expectProblem(await get(a, bookingId), 404, 'booking.not_found')
      expectProblem(
        await env.app.inject({
          method: 'PUT',
          url: `/api/v1/bookings/${bookingId}`,
          headers: a.auth,
          payload: { seats: 1 },
        }),
        404,
      )
      expectProblem(await cancel(a, bookingId), 404)
      expect((await get(b, bookingId)).json()).toMatchObject({ status: 'pending', seats: 2, notes: 'B' })
    })

    it('another vendor cannot see it either', async () => {
      const other = await givenVendor(env.app, admin)
      expectProblem(await get(other, bookingId), 404)
      expect((await get(vendor, bookingId)).statusCode).toBe(200)
      expect((await get(admin, bookingId)).statusCode).toBe(200)
    })

    it("A's list does not show it", async () => {
      const list = await env.app.inject({ url: '/api/v1/bookings', headers: a.auth })
      expect(list.json().data.map((x: { id: string }) => x.id)).not.toContain(bookingId)
    })
  })

  it('when the owner changes seats while pending, then capacity is rechecked and the total recomputed at the booked price', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30, { capacity: 5, price: { amount: 1000, currency: 'USD' } })
    const id = (await book(t, { trip_id: trip.id, seats: 2 })).json().id
    // The vendor raises the price afterwards: the booking keeps its own.
    await env.app.inject({
      method: 'PUT',
      url: `/api/v1/trips/${trip.id}`,
      headers: vendor.auth,
      payload: { price: { amount: 9999, currency: 'USD' } },
    })
    const put = (payload: object) =>
      env.app.inject({ method: 'PUT', url: `/api/v1/bookings/${id}`, headers: t.auth, payload })
    expect((await put({ seats: 4 })).json()).toMatchObject({
      seats: 4,
      total: { amount: 4000, currency: 'USD' },
    })
    expectProblem(await put({ seats: 6 }), 409, 'booking.sold_out')
    expect((await put({ seats: 1 })).json().total.amount).toBe(1000)
    expect(await rowOfTrip(trip.id)).toEqual({ capacity: 5, seats_taken: 1 })
  })

  it('when a pending booking is cancelled, then seats return, nothing is refunded, and a second cancel is 409', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30)
    const id = (await book(t, { trip_id: trip.id, seats: 3 })).json().id
    const res = await cancel(t, id, { reason: 'Plans changed' })
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      cancelled_by: 'traveler',
      cancel_reason: 'Plans changed',
      refund: { amount: 0 },
    })
    expect(await seatsAvailable(trip.id)).toBe(10)
    expectProblem(await cancel(t, id), 409, 'booking.not_cancellable')
    expect(await seatsAvailable(trip.id)).toBe(10)
  })

  it('when a confirmed booking is cancelled by the traveller 3 days out, then 50% is refunded and split; a second cancel refunds nothing more', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(3, { price: { amount: 12_345, currency: 'EUR' } })
    const id = (await book(t, { trip_id: trip.id, seats: 1 })).json().id
    await confirmBooking(env.c, id)
    const res = await cancel(t, id)
    expect(res.json().refund).toEqual({
      amount: 6172,
      currency: 'EUR',
      percent: 50,
      commission: 1234,
      vendor_share: 4938,
    })
    expectProblem(await cancel(t, id), 409, 'booking.not_cancellable')
    expect((await get(t, id)).json().refund.amount).toBe(6172)
    const cancelledEvents = await env.c.db
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', id)
      .where('type', '=', 'booking.cancelled')
      .execute()
    expect(cancelledEvents).toHaveLength(1)
  })

  it('when the vendor cancels a confirmed booking, then the refund is full', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(1)
    const id = (await book(t, { trip_id: trip.id, seats: 2 })).json().id
    await confirmBooking(env.c, id)
    expect((await cancel(vendor, id)).json()).toMatchObject({
      cancelled_by: 'vendor',
      refund: { percent: 100, amount: 25_000 },
    })
  })

  it('when the hold passes unpaid, then the expiry job expires it and the seats come back', async () => {
    const t = await givenUser(env.app)
    const trip = await tripIn(30)
    const id = (await book(t, { trip_id: trip.id, seats: 4 })).json().id
    await later(15 * MINUTE + 1000, async () => {
      expect(await expireHolds(env.c)).toBeGreaterThanOrEqual(1)
      expect((await get(t, id)).json().status).toBe('expired')
      expect(await seatsAvailable(trip.id)).toBe(10)
      expect(await expireHolds(env.c)).toBe(0)
    })
  })

  it('when completing, then only after the trip ended, by its vendor or an admin', async () => {
    const t = await givenUser(env.app)
    // Leaves in 10 minutes, back 10 minutes later.
    const trip = await tripIn(10 / (24 * 60), {}, 1 / 6)
    const id = (await book(t, { trip_id: trip.id, seats: 1 })).json().id
    await confirmBooking(env.c, id)
    const complete = (who: { auth: Record<string, string> }) =>
      env.app.inject({ method: 'POST', url: `/api/v1/bookings/${id}/complete`, headers: who.auth })
    expectProblem(await complete(vendor), 409, 'booking.trip_not_ended')
    await later(21 * MINUTE, async () => {
      expectProblem(await complete(t), 404)
      expect((await complete(vendor)).json().status).toBe('completed')
      expectProblem(await complete(admin), 409, 'booking.not_completable')
    })
  })

  it('when the vendor cancels the trip, then every live booking is cancelled with a full refund', async () => {
    const trip = await tripIn(20)
    const t1 = await givenUser(env.app)
    const t2 = await givenUser(env.app)
    const pending = (await book(t1, { trip_id: trip.id, seats: 2 })).json().id
    const paid = (await book(t2, { trip_id: trip.id, seats: 3 })).json().id
    await confirmBooking(env.c, paid)
    expect(
      (await env.app.inject({ method: 'DELETE', url: `/api/v1/trips/${trip.id}`, headers: vendor.auth }))
        .statusCode,
    ).toBe(204)
    expect((await get(t1, pending)).json()).toMatchObject({
      status: 'cancelled',
      cancelled_by: 'vendor',
      refund: { amount: 0 },
    })
    expect((await get(t2, paid)).json()).toMatchObject({
      status: 'cancelled',
      refund: { amount: 37_500, percent: 100 },
    })
    expect(await rowOfTrip(trip.id)).toMatchObject({ seats_taken: 0 })
  })

  it('when lists are asked, then travellers see theirs, vendors those on their trips, admins all, filterable by status', async () => {
    const t = await givenUser(env.app)
    const otherVendor = await givenVendor(env.app, admin)
    const mine = await tripIn(30)
    const theirs = await givenTrip(env.app, otherVendor)
    const onMine = (await book(t, { trip_id: mine.id, seats: 1 })).json().id
    const onTheirs = (await book(t, { trip_id: theirs.id, seats: 1 })).json().id
    const ids = async (who: { auth: Record<string, string> }, q = '') =>
      (await env.app.inject({ url: `/api/v1/bookings?limit=100${q}`, headers: who.auth }))
        .json()
        .data.map((b: { id: string }) => b.id)
    expect((await ids(t)).sort()).toEqual([onTheirs, onMine].sort())
    const vendorSees = await ids(vendor)
    expect(vendorSees).toContain(onMine)
    expect(vendorSees).not.toContain(onTheirs)
    expect(await ids(admin)).toEqual(expect.arrayContaining([onMine, onTheirs]))
    await cancel(t, onMine)
    expect(await ids(t, '&status=pending')).toEqual([onTheirs])
  })

  it('when 200 bookings race for 10 seats on one instance, then exactly 10 are held and 190 are sold out', async () => {
    const trip = await tripIn(30, { capacity: 10 })
    const travellers = await Promise.all(Array.from({ length: 20 }, () => givenUser(env.app)))
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => book(travellers[i % 20]!, { trip_id: trip.id, seats: 1 })),
    )
    const codes = results.map((r) => r.statusCode)
    expect(codes.filter((c) => c === 201)).toHaveLength(10)
    expect(codes.filter((c) => c === 409)).toHaveLength(190)
    for (const r of results.filter((x) => x.statusCode === 409))
      expect(r.json().code).toMatch(/^booking\.(sold_out|hold_limit)$/)
    expect(await rowOfTrip(trip.id)).toEqual({ capacity: 10, seats_taken: 10 })
  })
})
