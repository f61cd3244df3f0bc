import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/shared/clock.js'
import { expectProblem, givenUser } from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('sessions behind tokens on $name', (stack) => {
  let env: TestEnv
  const clock = new ManualClock(new Date())
  beforeAll(async () => {
    env = await givenApp(stack, { clock })
  })
  afterAll(() => env.close())

  const refresh = (token: string, key: string) =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: token },
      headers: { 'idempotency-key': key },
    })
  const me = (token: string) =>
    env.app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${token}` } })

  it('when a refresh is retried with its Idempotency-Key at once, then the same pair comes back; after the grace, it is reuse and the family is revoked', async () => {
    const user = await givenUser(env.app)
    const first = await refresh(user.refresh, 'refresh-retry-1')
    expect(first.statusCode).toBe(200)
    const retry = await refresh(user.refresh, 'refresh-retry-1')
    expect(retry.statusCode).toBe(200)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json()).toEqual(first.json())

    clock.advance(11_000)
    expectProblem(await refresh(user.refresh, 'refresh-retry-1'), 401, 'auth.refresh_token_reused')
    expectProblem(await me(first.json().access_token), 401, 'auth.token_invalid')
    expectProblem(await refresh(first.json().refresh_token, 'refresh-retry-2'), 401)
  })

  it('when a well-signed token names a session that does not exist, then 401 although the denylist is empty', async () => {
    const user = await givenUser(env.app)
    const { token } = await env.c.tokens.issue(
      { userId: user.id, role: 'traveler', sessionId: 'ses_01m8mdzc7mv6zj02xme85yj1j1' },
      clock.now(),
    )
    expectProblem(await me(token), 401, 'auth.token_invalid')
  })

  it('when a session is signed in, then it is remembered as live; a revocation that skipped the denylist is seen once that memory lapses', async () => {
    const user = await givenUser(env.app)
    expect((await me(user.token)).statusCode).toBe(200)
    // Remembered as live: even a revocation that skipped the denylist is only seen after the memory lapses.
    await env.c.db
      .updateTable('sessions')
      .set({ revoked_at: clock.now().toISOString() })
      .where('user_id', '=', user.id)
      .execute()
    expect((await me(user.token)).statusCode).toBe(200)
    await env.c.cache.delete(
      `auth:live-session:${(await env.c.tokens.verify(user.token, clock.now()))!.sessionId}`,
    )
    expectProblem(await me(user.token), 401, 'auth.token_invalid')
  })
})
