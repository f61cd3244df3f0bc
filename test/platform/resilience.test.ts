import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisCache } from '../../src/platform/cache/redis-cache.js'
import { expectProblem, givenUser } from '../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

const postgres = stacks.find((s) => s.dialect === 'postgres')

describe.runIf(postgres)('with Redis unreachable', () => {
  let env: TestEnv
  beforeAll(async () => {
    // A port nothing listens on: every cache call fails, as when Redis is down.
    env = await givenApp(postgres!, { cache: createRedisCache('redis://127.0.0.1:1', 'down:') })
  })
  afterAll(() => env.close())

  it('when people register, sign in, read and sign out, then the API answers from the database (no 5xx)', async () => {
    const user = await givenUser(env.app)
    const login = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password },
    })
    expect(login.statusCode).toBe(200)
    const me = await env.app.inject({ url: '/api/v1/users/me', headers: user.auth })
    expect(me.statusCode).toBe(200)
    expect(
      (await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.auth })).statusCode,
    ).toBe(204)
    // The denylist cannot be written, but the database knows the session is revoked.
    expectProblem(
      await env.app.inject({ url: '/api/v1/users/me', headers: user.auth }),
      401,
      'auth.token_invalid',
    )
  })

  it('when wrong passwords repeat, then throttling still holds (counted in-process)', async () => {
    const user = await givenUser(env.app)
    const codes: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: `Nope-nope-${i}` },
      })
      codes.push(res.statusCode)
    }
    expect(codes).toEqual([401, 401, 401, 401, 401, 429])
  })

  it('when someone logs out while Redis is down, then once Redis answers every instance refuses the token', async () => {
    const user = await givenUser(env.app)
    expect(
      (await env.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: user.auth })).statusCode,
    ).toBe(204)
    // Another instance on the same database whose Redis works: the denylist entry was never written,
    // so without the re-publication on connect it would accept the token until it expires.
    const healthy = await env.secondInstance()
    await expect
      .poll(
        async () => (await healthy.app.inject({ url: '/api/v1/users/me', headers: user.auth })).statusCode,
        {
          timeout: 5000,
        },
      )
      .toBe(401)
  })

  it('when readiness is asked, then it says the cache is down and stays in service (degraded, 200)', async () => {
    const res = await env.app.inject('/ready')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ status: 'degraded', checks: { database: 'up', cache: 'down' } })
  })
})
