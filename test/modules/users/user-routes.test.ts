import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdmin } from '../../../src/modules/users/index.js'
import {
  expectProblem,
  givenUser,
  type SignedUp,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('users on $name', (stack) => {
  let env: TestEnv
  let admin: { auth: { authorization: string } }
  const seen: string[] = []
  beforeAll(async () => {
    env = await givenApp(stack)
    const email = uniqueEmail('admin')
    await createAdmin(env.c, { email, password: STRONG_PASSWORD, name: 'Admin' })
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: STRONG_PASSWORD },
    })
    admin = { auth: { authorization: `Bearer ${res.json().access_token}` } }
  })
  afterAll(async () => {
    // No response of this file ever carried a password hash.
    expect(seen.join('\n')).not.toMatch(/argon2|password_hash|passwordHash/)
    await env.close()
  })

  async function call(
    method: 'GET' | 'PUT' | 'DELETE',
    url: string,
    who: { auth: Record<string, string> },
    payload?: object,
  ) {
    const res = await env.app.inject({ method, url, headers: who.auth, payload })
    seen.push(res.body)
    return res
  }
  const login = (email: string, password: string) =>
    env.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })

  it('when someone reads /users/me and their own id, then they get their profile without secrets', async () => {
    const a = await givenUser(env.app, { name: 'Alice' })
    const me = await call('GET', '/api/v1/users/me', a)
    expect(me.json()).toMatchObject({ id: a.id, email: a.email, name: 'Alice', role: 'traveler' })
    expect(Object.keys(me.json()).sort()).toEqual([
      'created_at',
      'email',
      'id',
      'language',
      'name',
      'phone',
      'role',
      'status',
      'updated_at',
    ])
    expect((await call('GET', `/api/v1/users/${a.id}`, a)).json().id).toBe(a.id)
  })

  describe('when user A goes after user B', () => {
    let a: SignedUp
    let b: SignedUp
    beforeAll(async () => {
      a = await givenUser(env.app, { name: 'Alice' })
      b = await givenUser(env.app, { name: 'Bob' })
    })

    it('reading B is 404', async () => {
      expectProblem(await call('GET', `/api/v1/users/${b.id}`, a), 404, 'user.not_found')
    })

    it('changing B is 404 and B is unchanged', async () => {
      expectProblem(await call('PUT', `/api/v1/users/${b.id}`, a, { name: 'Mallory' }), 404)
      expect((await call('GET', `/api/v1/users/${b.id}`, b)).json().name).toBe('Bob')
    })

    it('deleting B is 404 and B can still sign in', async () => {
      expectProblem(await call('DELETE', `/api/v1/users/${b.id}`, a), 404)
      expect((await login(b.email, b.password)).statusCode).toBe(200)
    })

    it('an unknown id is the same 404', async () => {
      const res = await call('GET', '/api/v1/users/usr_00000000000000000000000000', a)
      expectProblem(res, 404, 'user.not_found')
    })
  })

  it('when an admin reads anyone, then 200', async () => {
    const b = await givenUser(env.app)
    expect((await call('GET', `/api/v1/users/${b.id}`, admin)).json().id).toBe(b.id)
  })

  it('when someone changes their name, then the next read shows it at once (cache invalidated)', async () => {
    const a = await givenUser(env.app, { name: 'Before' })
    await call('GET', `/api/v1/users/${a.id}`, a) // warm the cache
    const res = await call('PUT', `/api/v1/users/${a.id}`, a, { name: 'After', phone: '+44 20 7946 0958' })
    expect(res.json()).toMatchObject({ name: 'After', phone: '+44 20 7946 0958' })
    expect((await call('GET', `/api/v1/users/${a.id}`, a)).json().name).toBe('After')
  })

  it.each([
    [{ role: 'admin' }, 'role'],
    [{ status: 'active', name: 'x' }, 'status'],
    [{ user_id: 'usr_x' }, 'user_id'],
    [{}, 'body'],
    [{ phone: 'call me' }, 'phone'],
  ])('when the change is %j, then 400 naming %s and nothing changes', async (payload, field) => {
    const a = await givenUser(env.app, { name: 'Same' })
    const body = expectProblem(await call('PUT', `/api/v1/users/${a.id}`, a, payload), 400)
    expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
    expect((await call('GET', '/api/v1/users/me', a)).json()).toMatchObject({
      name: 'Same',
      role: 'traveler',
    })
  })

  it('when the email changes without the current password, or with a wrong one, then 400; with it, 200', async () => {
    const a = await givenUser(env.app)
    const next = uniqueEmail('new')
    expectProblem(
      await call('PUT', `/api/v1/users/${a.id}`, a, { email: next }),
      400,
      'user.current_password_required',
    )
    expectProblem(
      await call('PUT', `/api/v1/users/${a.id}`, a, { email: next, current_password: 'Not-The-Password-1' }),
      400,
      'user.current_password_wrong',
    )
    const ok = await call('PUT', `/api/v1/users/${a.id}`, a, { email: next, current_password: a.password })
    expect(ok.json().email).toBe(next)
    expect((await login(next, a.password)).statusCode).toBe(200)
  })

  it('when the new email is taken, then 409', async () => {
    const a = await givenUser(env.app)
    const b = await givenUser(env.app)
    expectProblem(
      await call('PUT', `/api/v1/users/${a.id}`, a, { email: b.email, current_password: a.password }),
      409,
      'auth.email_taken',
    )
  })

  it('when the password changes, then older tokens stop working and only the new password signs in', async () => {
    const a = await givenUser(env.app)
    const newPassword = 'Porto-Bridge-Iron-1886'
    const res = await call('PUT', `/api/v1/users/${a.id}`, a, {
      password: newPassword,
      current_password: a.password,
    })
    expect(res.statusCode).toBe(200)
    expectProblem(await call('GET', '/api/v1/users/me', a), 401)
    const refreshed = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: a.refresh },
    })
    expectProblem(refreshed, 401)
    expect((await login(a.email, a.password)).statusCode).toBe(401)
    expect((await login(a.email, newPassword)).statusCode).toBe(200)
  })

  it('when a user deletes the account, then it is erased, its tokens die, and it cannot sign in', async () => {
    const a = await givenUser(env.app, { name: 'Gone Soon' })
    expect((await call('DELETE', `/api/v1/users/${a.id}`, a)).statusCode).toBe(204)
    expectProblem(await call('GET', '/api/v1/users/me', a), 401)
    expect((await login(a.email, a.password)).statusCode).toBe(401)
    const row = await env.c.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      email: null,
      phone: null,
      password_hash: null,
      name: 'Deleted user',
      status: 'deleted',
    })
    expect((await call('GET', `/api/v1/users/${a.id}`, admin)).json().status).toBe('deleted')
    // The email is free again for a new account.
    expect((await givenUser(env.app, { email: a.email })).id).not.toBe(a.id)
  })
})
