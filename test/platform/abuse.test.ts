import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectProblem,
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../support/builders.js'
import { fingerprint } from '../support/fingerprint.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

/** docs/security.md: nobody can lock out or crowd out anyone else. */
describe.each(stacks)('abuse limits on $name', (stack) => {
  let env: TestEnv
  beforeAll(async () => {
    env = await givenApp(stack, {}, { REGISTRATIONS_PER_ADDRESS: '3', MAX_HELD_SEATS_PER_ADDRESS: '5' })
  })
  afterAll(() => env.close())

  const login = (email: string, password: string, ip: string) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    })
  const register = (ip: string) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: uniqueEmail(), password: STRONG_PASSWORD, name: 'R' },
      remoteAddress: ip,
    })
  /** A traveller registered from an address of its own, so registration limits stay out of the way. */
  let n = 0
  const traveller = async () => {
    n++
    const res = await register(`10.200.${Math.floor(n / 250)}.${n % 250}`)
    expect(res.statusCode, res.body).toBe(201)
    return { email: res.json().user.email as string, token: res.json().access_token as string }
  }

  it('when twenty addresses guess a victim’s password, then the victim still signs in from an address it used before', async () => {
    const victim = await traveller()
    expect((await login(victim.email, STRONG_PASSWORD, '10.9.9.9')).statusCode).toBe(200)
    for (let i = 0; i < 20; i++) await login(victim.email, `Wrong-${i}-password`, `10.66.0.${i}`)
    // The account is under attack: a new address is refused for now (a short window)…
    expectProblem(await login(victim.email, STRONG_PASSWORD, '10.77.0.1'), 429, 'auth.throttled')
    // …and so is every guess, right or wrong, from an unknown address, without the password being checked.
    expectProblem(await login(victim.email, 'Wrong-again-password', '10.66.0.99'), 429, 'auth.throttled')
    // The owner, from its known address, gets in.
    expect((await login(victim.email, STRONG_PASSWORD, '10.9.9.9')).statusCode).toBe(200)
    // While the account is under attack, a wrong password is a 429 even from the known address.
    expectProblem(await login(victim.email, 'Not-my-password-1', '10.9.9.9'), 429, 'auth.throttled')
  })

  it('when one address guesses one account, then that pair is stopped after 5 failures, even with the right password', async () => {
    const victim = await traveller()
    expect((await login(victim.email, STRONG_PASSWORD, '10.8.8.8')).statusCode).toBe(200)
    const codes = []
    for (let i = 0; i < 6; i++)
      codes.push((await login(victim.email, `Wrong-${i}-password`, '10.8.8.8')).statusCode)
    expect(codes).toEqual([401, 401, 401, 401, 401, 429])
    expectProblem(await login(victim.email, STRONG_PASSWORD, '10.8.8.8'), 429, 'auth.throttled')
    expect((await login(victim.email, STRONG_PASSWORD, '10.8.8.9')).statusCode).toBe(200)
  })

  it('when one shared address fails many sign-ins, then accounts that used it before still sign in there', async () => {
    const regular = await traveller()
    expect((await login(regular.email, STRONG_PASSWORD, '10.5.5.5')).statusCode).toBe(200)
    for (let i = 0; i < 60; i++) await login(`sprayed-${i}@example.com`, 'Wrong-sprayed-pw', '10.5.5.5')
    const newcomer = await traveller()
    expectProblem(await login(newcomer.email, STRONG_PASSWORD, '10.5.5.5'), 429, 'auth.throttled')
    expect((await login(regular.email, STRONG_PASSWORD, '10.5.5.5')).statusCode).toBe(200)
    expect((await login(newcomer.email, STRONG_PASSWORD, '10.5.5.6')).statusCode).toBe(200)
  })

  it('when one address opens accounts in a burst, then the fourth in the hour is 429 and others are not affected', async () => {
    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await register('10.3.3.3')).statusCode)
    expect(codes).toEqual([201, 201, 201])
    const before = await fingerprint(env.c.db)
    expectProblem(await register('10.3.3.3'), 429, 'auth.registration_throttled')
    const vendor = await env.app.inject({
      method: 'POST',
      url: '/api/v1/vendors/register',
      payload: {
        email: uniqueEmail(),
        password: STRONG_PASSWORD,
        name: 'V',
        business_name: 'B',
        phone: '+1 555 0100',
      },
      remoteAddress: '10.3.3.3',
    })
    expectProblem(vendor, 429, 'auth.registration_throttled')
    expect(await fingerprint(env.c.db)).toEqual(before)
    expect((await register('10.3.3.4')).statusCode).toBe(201)
  })

  it('when throwaway accounts at one address hold seats, then the address stops at its cap and the trip stays sellable', async () => {
    const vendor = await givenVendor(env.app, await givenAdmin(env))
    const trip = await givenTrip(env.app, vendor, { capacity: 20 })
    const book = (t: { token: string }, seats: number, ip: string) =>
      env.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        headers: { authorization: `Bearer ${t.token}` },
        payload: { trip_id: trip.id, seats },
        remoteAddress: ip,
      })
    const [a, b, c] = [await traveller(), await traveller(), await traveller()]
    expect((await book(a, 2, '10.4.4.4')).statusCode).toBe(201)
    const held = (await book(b, 3, '10.4.4.4')).json()
    expect(held.status).toBe('pending')
    const before = await fingerprint(env.c.db)
    expectProblem(await book(c, 1, '10.4.4.4'), 429, 'booking.address_hold_limit')
    // Growing a booking counts too; shrinking one never is refused.
    const grow = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/bookings/${held.id}`,
      headers: { authorization: `Bearer ${b.token}` },
      payload: { seats: 4 },
      remoteAddress: '10.4.4.4',
    })
    expectProblem(grow, 429, 'booking.address_hold_limit')
    expect(await fingerprint(env.c.db)).toEqual(before)
    const shrink = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/bookings/${held.id}`,
      headers: { authorization: `Bearer ${b.token}` },
      payload: { seats: 1 },
      remoteAddress: '10.4.4.4',
    })
    expect(shrink.statusCode, shrink.body).toBe(200)
    expect((await book(c, 5, '10.4.4.5')).statusCode).toBe(201)
    expect((await env.app.inject({ url: `/api/v1/trips/${trip.id}` })).json().seats_available).toBe(12)
  })
})

describe.each(stacks)('client address behind a proxy on $name', (stack) => {
  let env: TestEnv
  beforeAll(async () => {
    env = await givenApp(stack, {}, { TRUST_PROXY: '1' })
  })
  afterAll(() => env.close())

  it('when a client writes its own X-Forwarded-For entries, then the throttle still counts its real address', async () => {
    const victim = await givenUser(env.app)
    const codes = []
    for (let i = 0; i < 6; i++) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: victim.email, password: `Wrong-${i}-password` },
        // The load balancer (10.0.0.1) appends the address it saw (203.0.113.7) to what the client sent.
        headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` },
        remoteAddress: '10.0.0.1',
      })
      codes.push(res.statusCode)
    }
    expect(codes).toEqual([401, 401, 401, 401, 401, 429])
  })
})
