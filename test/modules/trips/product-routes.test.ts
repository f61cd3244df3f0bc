import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { departureTimes, localStarts } from '../../../src/modules/trips/product.js'
import {
  dayFromNow as day,
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenTrip,
  givenVendor,
  productBody,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe('product schedules', () => {
  it('when a weekly schedule crosses the spring clock change, then each departure keeps its wall time', () => {
    const schedule = {
      kind: 'weekly' as const,
      daysOfWeek: [6, 7],
      startTimes: ['09:00'],
      from: '2027-03-27',
      to: '2027-03-28',
    }
    expect(localStarts(schedule)).toEqual(['2027-03-27T09:00', '2027-03-28T09:00'])
    const times = departureTimes(schedule, 'Europe/Lisbon', 60, new Date('2027-01-01T00:00:00Z'))
    // Lisbon is UTC+0 on Saturday and UTC+1 from Sunday 01:00.
    expect(times.map((t) => t.startsAt)).toEqual(['2027-03-27T09:00:00.000Z', '2027-03-28T08:00:00.000Z'])
    expect(times[0]!.endsAt).toBe('2027-03-27T10:00:00.000Z')
  })

  it('when a schedule starts today, then the start times already gone are left out', () => {
    const now = new Date('2027-05-03T12:00:00Z') // a Monday
    const times = departureTimes(
      { kind: 'dates', starts: ['2027-05-03T09:00', '2027-05-03T15:00', '2027-05-04T09:00'] },
      'UTC',
      30,
      now,
    )
    expect(times.map((t) => t.startsAt)).toEqual(['2027-05-03T15:00:00.000Z', '2027-05-04T09:00:00.000Z'])
  })
})

describe.each(stacks)('products on $name', (stack) => {
  let env: TestEnv
  let vendor: GivenVendor
  beforeAll(async () => {
    env = await givenApp(stack)
    const admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
  })
  afterAll(() => env.close())

  const post = (payload: object, auth = vendor.auth) =>
    env.app.inject({ method: 'POST', url: '/api/v1/products', headers: auth, payload })

  it('when a vendor publishes a weekly product, then its departures are trips at the local times, each bookable', async () => {
    const res = await post(productBody())
    expect(res.statusCode, res.body).toBe(201)
    const product = res.json()
    const expected = localStarts({
      kind: 'weekly',
      daysOfWeek: [1, 3, 5],
      startTimes: ['09:00', '14:30'],
      from: day(1),
      to: day(28),
    })
    expect(product.departures_upcoming).toBe(expected.length)
    expect(product.departures.map((d: any) => d.starts_at_local.slice(0, 16))).toEqual(expected)
    expect(product.price_from).toEqual({ amount: 6_900, currency: 'EUR' })
    const rows = await env.c.db
      .selectFrom('trips')
      .select(['id', 'capacity', 'product_id'])
      .where('product_id', '=', product.id)
      .execute()
    expect(rows).toHaveLength(expected.length)
    const trip = (await env.app.inject(`/api/v1/trips/${product.departures[0].trip_id}`)).json()
    expect(trip).toMatchObject({ product_id: product.id, capacity: 12, seats_available: 12 })

    const again = (await env.app.inject(`/api/v1/products/${product.id}`)).json()
    expect(again.departures).toHaveLength(expected.length)
    const departures = (await env.app.inject(`/api/v1/trips?product_id=${product.id}&limit=100`)).json()
    expect(departures.data).toHaveLength(expected.length)
  })

  it('when a vendor lists explicit dates, then those are the departures, and the search groups by product', async () => {
    const res = await post(
      productBody({
        title: 'Lisbon fado night',
        location: 'Alfama, Lisbon',
        schedule: { dates: [`${day(3)}T20:00`, `${day(5)}T20:00`, `${day(3)}T20:00`] },
      }),
    )
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().departures).toHaveLength(2)
    const found = (await env.app.inject('/api/v1/products?location=alfama')).json()
    expect(found.data.map((p: any) => p.id)).toEqual([res.json().id])
    expect(found.data[0].departures_upcoming).toBe(2)
  })

  it('when a trip is published alone, then it is a product of one departure', async () => {
    const trip = await givenTrip(env.app, vendor)
    expect(trip.product_id).toMatch(/^prd_/)
    const product = (await env.app.inject(`/api/v1/products/${trip.product_id}`)).json()
    expect(product).toMatchObject({ schedule: { kind: 'single' }, departures_upcoming: 1 })
    expect(product.departures[0].trip_id).toBe(trip.id)
  })

  it('when a schedule is impossible, then 400 names the field and nothing is written', async () => {
    const before = await env.c.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    const cases = [
      { schedule: { days_of_week: [1], start_times: ['25:00'], from: day(1), to: day(9) } },
      { schedule: { days_of_week: [1], start_times: ['09:00'], from: day(9), to: day(1) } },
      {
        schedule: {
          days_of_week: [1, 2, 3, 4, 5, 6, 7],
          start_times: ['08:00', '12:00'],
          from: day(1),
          to: day(400),
        },
      },
      { schedule: { dates: ['2020-01-01T10:00'] } },
      { timezone: 'Mars/Olympus' },
      { schedule: { dates: ['2027-02-30T10:00'] } },
    ]
    for (const overrides of cases) {
      const res = await post(productBody(overrides))
      const problem = expectProblem(res, 400, 'request.invalid')
      expect(problem.errors.length, JSON.stringify(overrides)).toBeGreaterThan(0)
    }
    const after = await env.c.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('when a traveller or nobody publishes a product, then it is refused; an unknown product is 404', async () => {
    expectProblem(await post(productBody(), {} as never), 401)
    expectProblem(
      await env.app.inject('/api/v1/products/prd_0000000000000000000000000z'),
      404,
      'product.not_found',
    )
  })
})
