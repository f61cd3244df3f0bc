import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from '../../../src/modules/trips/index.js'
import { tripRepository } from '../../../src/modules/trips/trip-repository.js'
import { newId } from '../../../src/shared/ids.js'
import {
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
  tripBody,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('trips on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let vendor: GivenVendor
  beforeAll(async () => {
    env = await givenApp(stack)
    admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
  })
  afterAll(() => env.close())

  const post = (auth: Record<string, string>, payload: object) =>
    env.app.inject({ method: 'POST', url: '/api/v1/trips', headers: auth, payload })
  const put = (auth: Record<string, string>, id: string, payload: object) =>
    env.app.inject({ method: 'PUT', url: `/api/v1/trips/${id}`, headers: auth, payload })
  const get = (id: string) => env.app.inject({ url: `/api/v1/trips/${id}` })
  const countTrips = async () =>
    Number(
      (
        await env.c.db
          .selectFrom('trips')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('when an approved vendor publishes a trip, then 201 with all seats available and the default policy', async () => {
    const res = await post(vendor.auth, tripBody())
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({
      vendor_id: vendor.id,
      status: 'published',
      capacity: 10,
      seats_available: 10,
      price: { amount: 12_500, currency: 'EUR' },
      cancellation_policy: {
        tiers: [
          { hours_before: 168, refund_percent: 100 },
          { hours_before: 48, refund_percent: 50 },
        ],
      },
    })
    expect(res.headers.location).toBe(`/api/v1/trips/${res.json().id}`)
  })

  it.each(['pending', 'rejected', 'suspended'] as const)(
    'when a %s vendor publishes, then 403 and nothing is stored',
    async (status) => {
      const v = await givenVendor(env.app, admin, status)
      const before = await countTrips()
      expectProblem(await post(v.auth, tripBody()), 403, 'vendor.not_approved')
      expect(await countTrips()).toBe(before)
    },
  )

  it('when a traveller publishes, then 403', async () => {
    const t = await givenUser(env.app)
    expectProblem(await post(t.auth, tripBody()), 403, 'vendor.required')
  })

  const now = Date.now()
  it.each([
    ['a negative price', { price: { amount: -100, currency: 'EUR' } }, 'price.amount'],
    ['a fractional price', { price: { amount: 12.5, currency: 'EUR' } }, 'price.amount'],
    ['a price as a string', { price: { amount: '1250', currency: 'EUR' } }, 'price.amount'],
    ['an unknown currency', { price: { amount: 100, currency: 'XYZ' } }, 'price.currency'],
    ['a lowercase currency', { price: { amount: 100, currency: 'eur' } }, 'price.currency'],
    ['zero capacity', { capacity: 0 }, 'capacity'],
    ['a huge capacity', { capacity: 1_000_000 }, 'capacity'],
    ['ends_at before starts_at', { ends_at: new Date(now + 29 * 86_400_000).toISOString() }, 'ends_at'],
    [
      'a departure in the past',
      {
        starts_at: new Date(now - 3_600_000).toISOString(),
        ends_at: new Date(now + 3_600_000).toISOString(),
      },
      'starts_at',
    ],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['a 100 kB title', { title: 'x'.repeat(100_000) }, 'title'],
    ['a date without offset', { starts_at: '2031-05-01 09:00' }, 'starts_at'],
    [
      'a growing refund in the policy',
      {
        cancellation_policy: {
          tiers: [
            { hours_before: 48, refund_percent: 50 },
            { hours_before: 24, refund_percent: 100 },
          ],
        },
      },
      'cancellation_policy.tiers',
    ],
    ['a seat price set by the client', { seats_available: 99 }, 'seats_available'],
    ['a status set by the client', { status: 'cancelled' }, 'status'],
  ])('when the trip has %s, then 400 naming %s and nothing is stored', async (_what, overrides, field) => {
    const before = await countTrips()
    const body = expectProblem(await post(vendor.auth, tripBody(overrides)), 400)
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
    expect(await countTrips()).toBe(before)
  })

  it('when a trip departs 09:00 in Europe/Lisbon on the day summer time starts, then it is stored and returned at that instant', async () => {
    // 2031-03-30: clocks go from 01:00 WET to 02:00 WEST; 09:00 local is 08:00 UTC.
    const trip = await givenTrip(env.app, vendor, {
      starts_at: '2031-03-30T09:00:00+01:00',
      ends_at: '2031-03-30T17:00:00+01:00',
      timezone: 'Europe/Lisbon',
    })
    const row = await env.c.db
      .selectFrom('trips')
      .select('starts_at')
      .where('id', '=', trip.id)
      .executeTakeFirstOrThrow()
    expect(row.starts_at).toBe('2031-03-30T08:00:00.000Z')
    const read = (await get(trip.id)).json()
    expect(read.starts_at).toBe('2031-03-30T08:00:00.000Z')
    expect(read.starts_at_local).toBe('2031-03-30T09:00:00+01:00')
    // The day before, 09:00 was still winter time: an hour later in UTC terms.
    const before = await givenTrip(env.app, vendor, {
      starts_at: '2031-03-29T09:00:00+00:00',
      ends_at: '2031-03-29T12:00:00Z',
    })
    expect((await get(before.id)).json().starts_at_local).toBe('2031-03-29T09:00:00+00:00')
  })

  it('when a trip is changed, then the next GET shows it at once (the cached copy is dropped)', async () => {
    const trip = await givenTrip(env.app, vendor)
    expect((await get(trip.id)).json().title).toBe('Douro valley wine tour') // now cached
    const changed = await put(vendor.auth, trip.id, {
      title: 'Douro by boat',
      price: { amount: 9900, currency: 'EUR' },
    })
    expect(changed.statusCode).toBe(200)
    expect((await get(trip.id)).json()).toMatchObject({
      title: 'Douro by boat',
      price: { amount: 9900, currency: 'EUR' },
    })
    const listing = await env.app.inject({ url: '/api/v1/trips?q=douro%20by%20boat' })
    expect(listing.json().data.map((t: { id: string }) => t.id)).toEqual([trip.id])
  })

  it("when vendor A changes or cancels vendor B's trip, then 404 and nothing changes", async () => {
    const other = await givenVendor(env.app, admin)
    const trip = await givenTrip(env.app, vendor)
    expectProblem(await put(other.auth, trip.id, { title: 'Mine now' }), 404, 'trip.not_found')
    expectProblem(
      await env.app.inject({ method: 'DELETE', url: `/api/v1/trips/${trip.id}`, headers: other.auth }),
      404,
    )
    expect((await get(trip.id)).json()).toMatchObject({
      title: 'Douro valley wine tour',
      status: 'published',
    })
  })

  it('when an admin changes any trip, then it changes', async () => {
    const trip = await givenTrip(env.app, vendor)
    expect((await put(admin.auth, trip.id, { capacity: 30 })).json().capacity).toBe(30)
  })

  it('when capacity would drop below the seats taken, then 409 and it stays', async () => {
    const trip = await givenTrip(env.app, vendor, { capacity: 10 })
    await env.c.db.updateTable('trips').set({ seats_taken: 6 }).where('id', '=', trip.id).execute()
    const res = await put(vendor.auth, trip.id, { capacity: 5 })
    expectProblem(res, 409, 'trip.capacity_below_taken')
    const row = await env.c.db
      .selectFrom('trips')
      .select(['capacity', 'seats_taken'])
      .where('id', '=', trip.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ capacity: 10, seats_taken: 6 })
    expect((await put(vendor.auth, trip.id, { capacity: 6 })).json().seats_available).toBe(0)
  })

  it('when the database is asked for more seats than capacity directly, then the CHECK refuses it', async () => {
    const trip = await givenTrip(env.app, vendor, { capacity: 3 })
    await expect(
      env.c.db.updateTable('trips').set({ seats_taken: 4 }).where('id', '=', trip.id).execute(),
    ).rejects.toThrow()
  })

  it('when a trip is cancelled, then 204, it shows cancelled, leaves search, and cannot be cancelled or changed again', async () => {
    const trip = await givenTrip(env.app, vendor, { title: 'Short-lived excursion' })
    const del = () =>
      env.app.inject({ method: 'DELETE', url: `/api/v1/trips/${trip.id}`, headers: vendor.auth })
    expect((await del()).statusCode).toBe(204)
    expect((await get(trip.id)).json().status).toBe('cancelled')
    expect((await env.app.inject('/api/v1/trips?q=short-lived')).json().data).toEqual([])
    expectProblem(await del(), 409, 'trip.cancelled')
    expectProblem(await put(vendor.auth, trip.id, { title: 'Back' }), 409, 'trip.cancelled')
  })

  it('when searching, then filters combine and only future published trips come back', async () => {
    const v = await givenVendor(env.app, admin)
    const a = await givenTrip(env.app, v, {
      title: 'Azores whale watching',
      location: 'Ponta Delgada, Azores',
      price: { amount: 6000, currency: 'EUR' },
    })
    const b = await givenTrip(env.app, v, {
      title: 'Azores crater lakes',
      location: 'Sete Cidades, Azores',
      price: { amount: 4000, currency: 'EUR' },
    })
    await givenTrip(env.app, v, {
      title: 'Madeira levada walk',
      location: 'Funchal, Madeira',
      price: { amount: 5000, currency: 'EUR' },
    })
    const ids = async (query: string) =>
      (await env.app.inject(`/api/v1/trips?${query}`)).json().data.map((t: { id: string }) => t.id)
    expect((await ids('location=azores')).sort()).toEqual([a.id, b.id].sort())
    expect(await ids('location=azores&max_price=5000')).toEqual([b.id])
    expect(await ids('q=WHALE')).toEqual([a.id])
    expect(await ids('q=100%25')).toEqual([]) // a literal %, not a wildcard
    const vendorTrips = (await env.app.inject(`/api/v1/vendors/${v.id}/trips`)).json().data
    expect(vendorTrips).toHaveLength(3)
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['cursor=garbage', 'cursor'],
    ['min_price=-1', 'min_price'],
    ['from=yesterday', 'from'],
    ['min_price=500&max_price=100', 'min_price'],
  ])('when the search has %s, then 400 naming %s', async (query, field) => {
    const body = expectProblem(await env.app.inject(`/api/v1/trips?${query}`), 400)
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
  })

  it('when paging 250 trips by 50 while 20 more are inserted, then each trip comes at most once and none that existed is skipped', async () => {
    const v = await givenVendor(env.app, admin)
    const vendorRow = await env.c.db
      .selectFrom('vendors')
      .select('id')
      .where('id', '=', v.id)
      .executeTakeFirstOrThrow()
    const base = Date.now() + 400 * 86_400_000
    const make = (minutes: number) => {
      const startsAt = new Date(base + minutes * 60_000).toISOString()
      const at = new Date().toISOString()
      return tripRepository.insert(env.c.db, {
        id: newId('trp'),
        vendorId: vendorRow.id,
        title: `Paging trip ${minutes}`,
        description: '',
        location: 'Paging Island',
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
        timezone: 'UTC',
        price: { amount: 1000, currency: 'EUR' },
        capacity: 5,
        seatsTaken: 0,
        cancellationPolicy: DEFAULT_POLICY,
        status: 'published',
        createdAt: at,
        updatedAt: at,
        productId: null,
      })
    }
    // Pairs share a departure time, so the id breaks ties.
    for (let i = 0; i < 250; i++) await make(Math.floor(i / 2) * 10)
    const existing = (
      await env.c.db.selectFrom('trips').select('id').where('location', '=', 'Paging Island').execute()
    ).map((r) => r.id)
    const seen: string[] = []
    let cursor: string | null = null
    let pageNo = 0
    do {
      const url: string = `/api/v1/trips?location=paging%20island&limit=50${cursor ? `&cursor=${cursor}` : ''}`
      const res = await env.app.inject(url)
      expect(res.statusCode).toBe(200)
      const body: { data: { id: string }[]; next_cursor: string | null } = res.json()
      seen.push(...body.data.map((t) => t.id))
      cursor = body.next_cursor
      // Between pages, others publish trips: before, inside and after the part already read.
      if (pageNo < 4)
        for (const m of [-5, pageNo * 250 + 3, 1300 + pageNo, 2000 + pageNo, 5 + pageNo * 500]) await make(m)
      pageNo++
    } while (cursor)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(expect.arrayContaining(existing))
  })
})
