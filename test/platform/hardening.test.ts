import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCursor } from '../../src/platform/http/pagination.js'
import {
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
  type SignedUp,
  STRONG_PASSWORD,
  tripBody,
} from '../support/builders.js'
import { fingerprint } from '../support/fingerprint.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

const NUL = '\u0000'

describe.each(stacks)('bad input on $name', (stack) => {
  let env: TestEnv
  let vendor: GivenVendor
  let traveller: SignedUp
  let trip: { id: string }
  let booking: { id: string }
  beforeAll(async () => {
    env = await givenApp(stack)
    vendor = await givenVendor(env.app, await givenAdmin(env))
    traveller = await givenUser(env.app)
    trip = await givenTrip(env.app, vendor)
    booking = (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        headers: traveller.auth,
        payload: { trip_id: trip.id, seats: 1 },
      })
    ).json()
  })
  afterAll(() => env.close())

  /** Sends a request that must be refused with a clean 400 and change nothing. */
  async function expectRefused(req: InjectOptions, status = 400) {
    const before = await fingerprint(env.c.db)
    const res = await env.app.inject(req)
    const body = expectProblem(res, status)
    expect(JSON.stringify(body)).not.toMatch(/select|insert|stack|at .*\.js/i)
    expect(await fingerprint(env.c.db)).toEqual(before)
    return body
  }

  it.each([
    [
      'register name',
      {
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'n@example.com', password: STRONG_PASSWORD, name: `A${NUL}B` },
      },
    ],
    [
      'login email',
      { method: 'POST', url: '/api/v1/auth/login', payload: { email: `a${NUL}@example.com`, password: 'x' } },
    ],
    ['search ?q=', { method: 'GET', url: '/api/v1/trips?q=a%00b' }],
    ['a path id', { method: 'GET', url: '/api/v1/trips/trp_%00' }],
  ] as const)('when a NUL character is in the %s, then 400 and nothing changes', async (_, req) => {
    const body = await expectRefused(req as InjectOptions)
    expect(body.errors?.[0]?.message ?? body.detail).toMatch(/NUL|valid/)
  })

  it('when a NUL character is in booking notes or a trip title, then 400 and nothing changes', async () => {
    await expectRefused({
      method: 'PUT',
      url: `/api/v1/bookings/${booking.id}`,
      headers: traveller.auth,
      payload: { notes: `late${NUL}arrival` },
    })
    await expectRefused({
      method: 'POST',
      url: '/api/v1/trips',
      headers: vendor.auth,
      payload: tripBody({ title: `Douro${NUL}` }),
    })
  })

  it.each(['2147483648', '1e308', 'Infinity', '-1', '1.5'])(
    'when a price filter is %s, then 400 (not a database error)',
    async (value) => {
      await expectRefused({ method: 'GET', url: `/api/v1/trips?min_price=${value}` })
      await expectRefused({ method: 'GET', url: `/api/v1/trips?max_price=${value}` })
    },
  )

  it.each([
    ['a position that is not a date', encodeCursor(['not a date', 'x'])],
    ['an id of another kind', encodeCursor(['2031-01-01T00:00:00.000Z', "x' or 1=1"])],
    ['a number where a date goes', encodeCursor([1, 2])],
    ['not JSON', Buffer.from('{{{').toString('base64url')],
  ])('when a trip search cursor holds %s, then 400', async (_, cursor) => {
    const body = await expectRefused({ method: 'GET', url: `/api/v1/trips?cursor=${cursor}` })
    expect(body.errors).toEqual([{ field: 'cursor', message: 'is not a cursor this API gave out' }])
  })

  it('when a bookings cursor is forged, then 400; when it is the one the API gave, then the next page', async () => {
    await expectRefused({
      method: 'GET',
      url: `/api/v1/bookings?cursor=${encodeCursor(['zzz'])}`,
      headers: traveller.auth,
    })
    const ok = await env.app.inject({
      method: 'GET',
      url: `/api/v1/bookings?cursor=${encodeCursor([booking.id])}`,
      headers: traveller.auth,
    })
    expect(ok.statusCode).toBe(200)
  })

  it('when the URL has bad percent-encoding or an over-long id, then a problem+json 400 with a request id, not echoing the URL', async () => {
    for (const url of ['/api/v1/trips/%E0%A4%A', `/api/v1/trips/${'a'.repeat(300)}`]) {
      const body = await expectRefused({ method: 'GET', url })
      expect(body.code).toBe('request.bad_url')
      expect(JSON.stringify(body)).not.toContain('%E0')
      expect(JSON.stringify(body)).not.toContain('aaaaaaaaaa')
    }
  })

  it('when the URL is larger than 16 KiB, then 431 in problem+json with a request id', async () => {
    await env.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = env.app.server.address() as { port: number }
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/trips?q=${'a'.repeat(17_000)}`)
    expect(res.status).toBe(431)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    const body = (await res.json()) as { request_id: string }
    expect(body).toMatchObject({ status: 431, code: 'request.malformed' })
    expect(body.request_id).toBe(res.headers.get('x-request-id'))
  })

  it('when the Authorization scheme is written in lower or upper case, then the token is accepted', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await env.app.inject({
        url: '/api/v1/users/me',
        headers: { authorization: `${scheme} ${traveller.token}` },
      })
      expect(res.statusCode, scheme).toBe(200)
    }
  })

  it.each([
    ['europe/lisbon', 'Europe/Lisbon'],
    ['UTC', 'UTC'],
    ['GMT', 'UTC'],
    ['US/Pacific', 'America/Los_Angeles'],
  ])('when a trip is published in zone %s, then it is stored as %s', async (sent, stored) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/trips',
      headers: vendor.auth,
      payload: tripBody({ timezone: sent }),
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().timezone).toBe(stored)
  })

  it('when a zone is an offset or unknown, then 400', async () => {
    for (const timezone of ['+01:00', 'Mars/Olympus', 'lisbon']) {
      await expectRefused({
        method: 'POST',
        url: '/api/v1/trips',
        headers: vendor.auth,
        payload: tripBody({ timezone }),
      })
    }
  })

  it('when a signed-in caller reads anything, or tokens are handed out, then the answer says Cache-Control: no-store', async () => {
    const me = await env.app.inject({ url: '/api/v1/users/me', headers: traveller.auth })
    expect(me.headers['cache-control']).toBe('no-store')
    const login = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: traveller.email, password: traveller.password },
    })
    expect(login.headers['cache-control']).toBe('no-store')
    const anonymous = await env.app.inject({ url: `/api/v1/trips/${trip.id}` })
    expect(anonymous.headers['cache-control']).toBeUndefined()
  })

  it('when /metrics is asked from another machine without a token, then 401; from this machine, the metrics', async () => {
    const far = await env.app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })
    expectProblem(far, 401, 'metrics.unauthorized')
    expect((await env.app.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(200)
  })

  it('when an admin suspends a vendor, then its trips take no new bookings or seats and cannot be changed, but can be cancelled', async () => {
    const admin = await givenAdmin(env)
    const seller = await givenVendor(env.app, admin)
    const own = await givenTrip(env.app, seller)
    const held = (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        headers: traveller.auth,
        payload: { trip_id: own.id, seats: 1 },
      })
    ).json()
    const suspend = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/vendors/${seller.id}/suspend`,
      headers: admin.auth,
      payload: { reason: 'Complaints under review' },
    })
    expect(suspend.statusCode, suspend.body).toBe(200)
    const before = await fingerprint(env.c.db)
    const book = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: traveller.auth,
      payload: { trip_id: own.id, seats: 1 },
    })
    expectProblem(book, 409, 'booking.trip_not_bookable')
    const grow = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/bookings/${held.id}`,
      headers: traveller.auth,
      payload: { seats: 2 },
    })
    expectProblem(grow, 409, 'booking.trip_not_bookable')
    const change = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/trips/${own.id}`,
      headers: seller.auth,
      payload: { title: 'Renamed while suspended' },
    })
    expectProblem(change, 403, 'vendor.not_approved')
    expect(await fingerprint(env.c.db)).toEqual(before)
    const cancel = await env.app.inject({
      method: 'DELETE',
      url: `/api/v1/trips/${own.id}`,
      headers: seller.auth,
    })
    expect(cancel.statusCode, cancel.body).toBe(204)
  })
})

describe.each(stacks)('metrics with a token on $name', (stack) => {
  let env: TestEnv
  beforeAll(async () => {
    env = await givenApp(stack, {}, { METRICS_TOKEN: 'metrics-token-for-the-scraper-0123456789' })
  })
  afterAll(() => env.close())

  it('when METRICS_TOKEN is set, then /metrics needs it, even from this machine', async () => {
    expectProblem(await env.app.inject({ url: '/metrics' }), 401, 'metrics.unauthorized')
    expectProblem(
      await env.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } }),
      401,
      'metrics.unauthorized',
    )
    const ok = await env.app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-for-the-scraper-0123456789' },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.body).toContain('process_resident_memory_bytes')
  })
})
