import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { purgeExpiredIdempotencyKeys } from '../../src/platform/http/idempotency.js'
import { expectProblem, STRONG_PASSWORD, uniqueEmail } from '../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

describe.each(stacks)('Idempotency-Key on $name', (stack) => {
  let env: TestEnv
  beforeAll(async () => {
    env = await givenApp(stack)
  })
  afterAll(() => env.close())

  const register = (key: string, email: string, name = 'Idem Potent') =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'idempotency-key': key },
      payload: { email, password: STRONG_PASSWORD, name },
    })

  it('when the same key is sent 20 times at once, then one user is created and one answer is replayed', async () => {
    const email = uniqueEmail('idem')
    const responses = await Promise.all(Array.from({ length: 20 }, () => register('key-20-at-once', email)))
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(201))
    const bodies = new Set(responses.map((r) => r.body))
    expect(bodies.size).toBe(1)
    expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19)
    const rows = await env.c.db.selectFrom('users').select('id').where('email', '=', email).execute()
    expect(rows).toHaveLength(1)
  })

  it('when the same key comes with another body, then it is 422 and nothing is created', async () => {
    const email = uniqueEmail('idem')
    expect((await register('key-reused', email)).statusCode).toBe(201)
    const other = uniqueEmail('other')
    expectProblem(await register('key-reused', other), 422, 'idempotency.key_reused')
    expect(await env.c.db.selectFrom('users').select('id').where('email', '=', other).execute()).toHaveLength(
      0,
    )
  })

  it('when the first answer was an error, then the replay is that same error', async () => {
    const email = uniqueEmail('idem')
    expect((await register('first', email)).statusCode).toBe(201)
    const a = await register('second', email, 'Someone Else')
    const b = await register('second', email, 'Someone Else')
    expectProblem(a, 409, 'auth.email_taken')
    expect(b.statusCode).toBe(409)
    expect(b.headers['idempotent-replayed']).toBe('true')
    expect(b.json().code).toBe('auth.email_taken')
  })

  it('when a stored answer holds tokens, then the table keeps it encrypted', async () => {
    const email = uniqueEmail('idem')
    const res = await register('sealed', email)
    const row = await env.c.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', 'sealed')
      .executeTakeFirstOrThrow()
    expect(row.response_body).not.toContain(res.json().refresh_token)
    expect(row.response_body).not.toContain(email)
  })

  it('when keys are older than 24 hours, then the cleanup removes them and only them', async () => {
    await register('kept', uniqueEmail('idem'))
    await register('old', uniqueEmail('idem'))
    await env.c.db
      .updateTable('idempotency_keys')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('key', '=', 'old')
      .execute()
    expect(await purgeExpiredIdempotencyKeys(env.c.db, new Date())).toBe(1)
    const keys = (await env.c.db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key)
    expect(keys).toContain('kept')
    expect(keys).not.toContain('old')
  })

  it('when the key is not printable ASCII, then 400', async () => {
    expectProblem(await register('x'.repeat(300), uniqueEmail()), 400, 'idempotency.key_invalid')
  })
})
