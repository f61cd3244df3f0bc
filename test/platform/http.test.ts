import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectProblem, givenUser, uniqueEmail } from '../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

describe.each(stacks)('HTTP platform on $name', (stack) => {
  let env: TestEnv
  beforeAll(async () => {
    env = await givenApp(stack)
  })
  afterAll(() => env.close())

  const countUsers = async () =>
    Number(
      (
        await env.c.db
          .selectFrom('users')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('when asked /health and /ready, then both answer 200', async () => {
    expect((await env.app.inject('/health')).json()).toEqual({ status: 'ok' })
    const ready = await env.app.inject('/ready')
    expect(ready.statusCode).toBe(200)
    expect(ready.json().checks).toEqual({ database: 'up', cache: 'up', queue: 'up' })
  })

  it('when a request comes in, then the response carries x-request-id (a safe incoming one is kept)', async () => {
    const fresh = await env.app.inject('/health')
    expect(fresh.headers['x-request-id']).toMatch(/^req_[0-9a-z]{26}$/)
    const kept = await env.app.inject({ url: '/health', headers: { 'x-request-id': 'lb-1234' } })
    expect(kept.headers['x-request-id']).toBe('lb-1234')
    const unsafe = await env.app.inject({ url: '/health', headers: { 'x-request-id': 'a b<script>' } })
    expect(unsafe.headers['x-request-id']).toMatch(/^req_/)
  })

  it('when the OpenAPI document is read, then it lists exactly the live routes, and /docs serves', async () => {
    const doc = (await env.app.inject('/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    const documented = new Set<string>()
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`)
    }
    const live = new Set(
      env.app.routeList
        .filter((r) => !r.hidden && r.method !== 'HEAD' && !r.url.startsWith('/docs'))
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
    )
    expect([...documented].sort()).toEqual([...live].sort())
    expect(live.has('POST /api/v1/auth/register')).toBe(true)
    const docs = await env.app.inject('/docs')
    expect([200, 302]).toContain(docs.statusCode)
  })

  it('when /metrics is scraped, then it answers Prometheus text with the request histogram', async () => {
    await env.app.inject('/health')
    const res = await env.app.inject('/metrics')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('http_request_duration_seconds_bucket')
    expect(res.body).toContain('process_resident_memory_bytes')
    // The events side: outbox lag and backlog, queue depths (each event written so far waits or is done).
    expect(res.body).toMatch(/^travellr_outbox_lag_seconds \d/m)
    expect(res.body).toMatch(/^travellr_outbox_pending \d+/m)
    expect(res.body).toMatch(/^travellr_queue_jobs\{state="waiting"\} \d+/m)
  })

  it('when responses go out, then security headers are set', async () => {
    const res = await env.app.inject('/health')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['content-security-policy']).toBeDefined()
    expect(res.headers['x-frame-options']).toBeDefined()
  })

  it('when an unknown route is asked, then it is a 404 problem', async () => {
    expectProblem(await env.app.inject('/api/v1/nowhere'), 404, 'route.not_found')
  })

  describe('when the body is bad, then a problem names it and nothing is written', () => {
    const register = (
      payload: string,
      headers: Record<string, string> = { 'content-type': 'application/json' },
    ) => env.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload, headers })

    it('malformed JSON → 400', async () => {
      const before = await countUsers()
      expectProblem(await register('{"email": "a@b.co", '), 400, 'request.malformed_json')
      expect(await countUsers()).toBe(before)
    })

    it('wrong types → 400 naming each field', async () => {
      const before = await countUsers()
      const body = expectProblem(
        await register(JSON.stringify({ email: 42, password: true, name: ['x'] })),
        400,
        'request.invalid',
      )
      expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'password'])
      expect(await countUsers()).toBe(before)
    })

    it('missing fields → 400 naming them', async () => {
      const body = expectProblem(
        await register(JSON.stringify({ email: uniqueEmail() })),
        400,
        'request.invalid',
      )
      expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'password'])
    })

    it('unknown fields like role or is_admin → 400 naming them, no account made', async () => {
      const before = await countUsers()
      const email = uniqueEmail()
      const body = expectProblem(
        await register(
          JSON.stringify({
            email,
            password: 'Lisbon-Tram-28-Yellow',
            name: 'X',
            role: 'admin',
            is_admin: true,
          }),
        ),
        400,
        'request.invalid',
      )
      expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['is_admin', 'role'])
      expect(await countUsers()).toBe(before)
    })

    it('a 2 MiB body → 413', async () => {
      const before = await countUsers()
      const big = JSON.stringify({
        email: uniqueEmail(),
        password: 'Lisbon-Tram-28-Yellow',
        name: 'x'.repeat(2 * 1024 * 1024),
      })
      expectProblem(await register(big), 413, 'request.too_large')
      expect(await countUsers()).toBe(before)
    })

    it('a body that is not JSON → 415', async () => {
      expectProblem(await register('email=a', { 'content-type': 'application/x-www-form-urlencoded' }), 415)
    })
  })

  it('when a handler fails unexpectedly, then the client sees a generic 500 with the request id and no internals', async () => {
    const user = await givenUser(env.app)
    // Break the database under the app: the next query fails with a driver error.
    await env.c.db.schema
      .dropTable('sessions')
      .cascade()
      .execute()
      .catch(async () => {
        await env.c.db.schema.dropTable('refresh_tokens').execute()
        await env.c.db.schema.dropTable('sessions').execute()
      })
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password },
    })
    const body = expectProblem(res, 500, 'internal')
    expect(body.detail).toContain(body.request_id)
    expect(res.body).not.toMatch(/sessions|sql|sqlite|relation|stack|at .*\.ts/i)
  })
})
