import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, givenUser, STRONG_PASSWORD, uniqueEmail } from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('sign-up, sign-in and sign-out on $name', (stack) => {
  let env: TestEnv
  beforeAll(async () => {
    env = await givenApp(stack)
  })
  afterAll(() => env.close())

  const login = (email: string, password: string, ip = '127.0.0.1') =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    })
  const refresh = (token: string) =>
    env.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } })
  const me = (token: string, app = env.app) =>
    app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${token}` } })

  it('when someone registers, then 201 with a traveller, a bearer pair, a user.registered event, and no secret', async () => {
    const email = uniqueEmail('Mixed.Case')
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: {
        email: email.toUpperCase(),
        password: STRONG_PASSWORD,
        name: 'Rita',
        phone: '+351 912 345 678',
      },
    })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      user: { email: email.toLowerCase(), role: 'traveler', status: 'active' },
    })
    expect(body.user.id).toMatch(/^usr_/)
    expect(res.body).not.toMatch(/password|hash|argon/i)
    const events = await env.c.db
      .selectFrom('outbox')
      .selectAll()
      .where('aggregate_id', '=', body.user.id)
      .execute()
    expect(events.map((e) => e.type)).toEqual(['user.registered'])
    const row = await env.c.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', body.user.id)
      .executeTakeFirstOrThrow()
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/)
  })

  it('when the email is taken (in any case), then 409 auth.email_taken', async () => {
    const user = await givenUser(env.app)
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: user.email.toUpperCase(), password: STRONG_PASSWORD, name: 'Twin' },
    })
    expectProblem(res, 409, 'auth.email_taken')
  })

  it.each([
    ['too short', 'Ab1-xyz'],
    ['too long', 'x'.repeat(129)],
    ['too common', 'password123'],
  ])('when the password is %s, then 400 naming password', async (_why, password) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: uniqueEmail(), password, name: 'P' },
    })
    const body = expectProblem(res, 400)
    expect(body.errors.map((e: { field: string }) => e.field)).toContain('password')
  })

  it('when the right password is given, then 200 with a working token', async () => {
    const user = await givenUser(env.app)
    const res = await login(user.email, user.password)
    expect(res.statusCode).toBe(200)
    expect((await me(res.json().access_token)).json().id).toBe(user.id)
  })

  it('when the email is unknown or the password wrong, then the same status and body', async () => {
    const user = await givenUser(env.app)
    const unknown = await login(uniqueEmail('nobody'), 'Whatever-Pass-123', '10.0.0.7')
    const wrong = await login(user.email, 'Wrong-Pass-12345', '10.0.0.7')
    expect(unknown.statusCode).toBe(401)
    expect(wrong.statusCode).toBe(401)
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined })
    expect(strip(unknown.json())).toEqual(strip(wrong.json()))
    expect(wrong.json().code).toBe('auth.invalid_credentials')
  })

  it('when one account gets repeated wrong passwords, then 429 after a bounded number, and other accounts still sign in', async () => {
    const victim = await givenUser(env.app)
    const other = await givenUser(env.app)
    const codes: number[] = []
    for (let i = 0; i < 8; i++)
      codes.push((await login(victim.email, `Wrong-Pass-${i}-xyz`, '10.1.1.1')).statusCode)
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(codes.slice(5)).toEqual([429, 429, 429])
    const throttled = await login(victim.email, victim.password, '10.1.1.1')
    expectProblem(throttled, 429, 'auth.throttled')
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0)
    expect((await login(other.email, other.password, '10.1.1.1')).statusCode).toBe(200)
    // The owner, from elsewhere, is not locked out by someone guessing from 10.1.1.1.
    expect((await login(victim.email, victim.password, '10.2.2.2')).statusCode).toBe(200)
  })

  it('when a refresh token is used, then a new pair comes back and the old one is spent', async () => {
    const user = await givenUser(env.app)
    const first = await refresh(user.refresh)
    expect(first.statusCode).toBe(200)
    const next = first.json()
    expect(next.refresh_token).not.toBe(user.refresh)
    expect((await me(next.access_token)).statusCode).toBe(200)
    expect((await refresh(next.refresh_token)).statusCode).toBe(200)
  })

  it('when a spent refresh token is reused, then the whole family is revoked', async () => {
    const user = await givenUser(env.app)
    const rotated = (await refresh(user.refresh)).json()
    expectProblem(await refresh(user.refresh), 401, 'auth.refresh_token_reused')
    // The thief's (or the owner's) newer tokens die with the family.
    expectProblem(await refresh(rotated.refresh_token), 401, 'auth.refresh_token_invalid')
    expectProblem(await me(rotated.access_token), 401, 'auth.token_invalid')
    expectProblem(await me(user.token), 401, 'auth.token_invalid')
  })

  it('when the same refresh token is raced twice, then at most one wins', async () => {
    const user = await givenUser(env.app)
    const results = await Promise.all([refresh(user.refresh), refresh(user.refresh), refresh(user.refresh)])
    expect(results.filter((r) => r.statusCode === 200).length).toBeLessThanOrEqual(1)
  })

  it('when someone logs out, then that access token and its refresh token stop working at once', async () => {
    const user = await givenUser(env.app)
    const other = (await login(user.email, user.password)).json()
    const res = await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.auth })
    expect(res.statusCode).toBe(204)
    expectProblem(await me(user.token), 401, 'auth.token_invalid')
    expectProblem(await refresh(user.refresh), 401)
    // Another session of the same person (another device) is untouched.
    expect((await me(other.access_token)).statusCode).toBe(200)
  })

  // Several instances share a cache only through Redis; the embedded default is one process.
  it.runIf(stack.cache === 'redis')(
    'when someone logs out on one instance, then the token is refused on a second instance too',
    async () => {
      const second = await env.secondInstance()
      const user = await givenUser(env.app)
      expect((await me(user.token, second.app)).statusCode).toBe(200)
      await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.auth })
      expectProblem(await me(user.token, second.app), 401, 'auth.token_invalid')
      const res = await second.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refresh_token: user.refresh },
      })
      expectProblem(res, 401)
    },
  )
})
