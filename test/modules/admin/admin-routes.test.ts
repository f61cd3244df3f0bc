import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectProblem,
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
  loginAs,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('admin routes on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  beforeAll(async () => {
    env = await givenApp(stack)
    admin = await givenAdmin(env)
  })
  afterAll(() => env.close())

  const call = (method: string, url: string, auth?: { authorization: string }, payload?: object) =>
    env.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: auth, payload })

  it('when a traveller, a vendor or nobody calls any /admin route (walking the live route list), then 403, 403 and 401', async () => {
    const traveller = await givenUser(env.app)
    const vendor = await givenVendor(env.app, admin)
    const paths = (await env.app.inject('/openapi.json')).json().paths as Record<
      string,
      Record<string, unknown>
    >
    const routes = Object.entries(paths)
      .filter(([path]) => path.startsWith('/api/v1/admin/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => [method.toUpperCase(), path] as const))
    expect(routes.length).toBeGreaterThanOrEqual(9)
    for (const [method, path] of routes) {
      const url = path.replace('/api/v1', '').replace(/\{[^}]+\}/g, 'usr_00000000000000000000000000')
      const body = method === 'GET' ? undefined : {}
      expectProblem(await call(method, url, undefined, body), 401)
      expectProblem(await call(method, url, traveller.auth, body), 403, 'admin.required')
      expectProblem(await call(method, url, vendor.auth, body), 403, 'admin.required')
    }
  })

  it('when an admin deactivates a user, then its token fails on the next request and it cannot sign in; activated, it can', async () => {
    const email = uniqueEmail('deact')
    const user = await givenUser(env.app, { email })
    expect((await call('GET', '/users/me', user.auth)).statusCode).toBe(200)
    const other = stack.cache === 'redis' ? await env.secondInstance() : undefined
    if (other)
      expect((await other.app.inject({ url: '/api/v1/users/me', headers: user.auth })).statusCode).toBe(200)

    const off = await call('POST', `/admin/users/${user.id}/deactivate`, admin.auth)
    expect(off.statusCode, off.body).toBe(200)
    expect(off.json().status).toBe('deactivated')
    expectProblem(await call('GET', '/users/me', user.auth), 401)
    if (other) expectProblem(await other.app.inject({ url: '/api/v1/users/me', headers: user.auth }), 401)
    expectProblem(await call('POST', '/auth/login', undefined, { email, password: STRONG_PASSWORD }), 401)
    expectProblem(
      await call('POST', `/admin/users/${admin.id}/deactivate`, admin.auth),
      409,
      'user.self_deactivation',
    )

    const on = await call('POST', `/admin/users/${user.id}/activate`, admin.auth)
    expect(on.json().status).toBe('active')
    await loginAs(env.app, email, STRONG_PASSWORD)
    expectProblem(
      await call('POST', '/admin/users/usr_00000000000000000000000000/deactivate', admin.auth),
      404,
    )
  })

  it('when an admin lists users, vendors and bookings, then the filters and the cursor work', async () => {
    const tag = `zq${Date.now().toString(36)}`
    const people = []
    for (let i = 0; i < 3; i++) people.push(await givenUser(env.app, { name: `Lister ${tag} ${i}` }))
    const first = await call('GET', `/admin/users?q=${tag}&limit=2`, admin.auth)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json().data.map((u: any) => u.id)).toEqual([people[2]!.id, people[1]!.id])
    const second = await call(
      'GET',
      `/admin/users?q=${tag}&limit=2&cursor=${first.json().next_cursor}`,
      admin.auth,
    )
    expect(second.json()).toEqual({
      data: [expect.objectContaining({ id: people[0]!.id })],
      next_cursor: null,
    })
    const admins = (await call('GET', '/admin/users?role=admin', admin.auth)).json().data
    expect(admins.every((u: any) => u.role === 'admin')).toBe(true)
    expectProblem(await call('GET', '/admin/users?role=king', admin.auth), 400)
    // A search for a literal % finds nobody here rather than everybody.
    expect((await call('GET', '/admin/users?q=%25', admin.auth)).json().data).toEqual([])

    const vendor = await givenVendor(env.app, admin)
    const found = (
      await call('GET', `/admin/vendors?q=${encodeURIComponent(vendor.email)}`, admin.auth)
    ).json().data
    expect(found.map((v: any) => v.id)).toEqual([vendor.id])
    expect(
      (await call('GET', '/admin/vendors?q=Vera%20Tours&status=approved', admin.auth)).json().data.length,
    ).toBeGreaterThanOrEqual(1)

    const trip = await givenTrip(env.app, vendor)
    const b1 = (await call('POST', '/bookings', people[0]!.auth, { trip_id: trip.id, seats: 1 })).json()
    const b2 = (await call('POST', '/bookings', people[1]!.auth, { trip_id: trip.id, seats: 2 })).json()
    await call('POST', `/bookings/${b1.id}/cancel`, people[0]!.auth, {})
    const ofTrip = (await call('GET', `/admin/bookings?trip_id=${trip.id}`, admin.auth)).json().data
    expect(ofTrip.map((b: any) => b.id)).toEqual([b2.id, b1.id])
    const cancelled = (
      await call('GET', `/admin/bookings?vendor_id=${vendor.id}&status=cancelled`, admin.auth)
    ).json().data
    expect(cancelled.map((b: any) => b.id)).toEqual([b1.id])
    const ofUser = (await call('GET', `/admin/bookings?user_id=${people[1]!.id}`, admin.auth)).json().data
    expect(ofUser.map((b: any) => b.id)).toEqual([b2.id])
    const future = new Date(Date.now() + 3_600_000).toISOString()
    expect(
      (await call('GET', `/admin/bookings?trip_id=${trip.id}&from=${future}`, admin.auth)).json().data,
    ).toEqual([])
  })

  it('when admins act, then each action is on record with who, what, when and before → after', async () => {
    const vendor = await givenVendor(env.app, admin, 'pending')
    expect((await call('POST', `/admin/vendors/${vendor.id}/approve`, admin.auth)).statusCode).toBe(200)
    const user = await givenUser(env.app)
    await call('POST', `/admin/users/${user.id}/deactivate`, admin.auth)
    const adj = await call('POST', `/vendors/${vendor.id}/ledger-adjustments`, admin.auth, {
      amount: -250,
      currency: 'EUR',
      reason: 'Damaged equipment',
    })
    expect(adj.statusCode, adj.body).toBe(201)

    const ofVendor = (await call('GET', `/admin/audit?target_id=${vendor.id}`, admin.auth)).json().data
    expect(ofVendor.map((a: any) => a.action)).toEqual(['ledger.adjust', 'vendor.approved'])
    expect(ofVendor[1]).toMatchObject({
      actor_id: admin.id,
      target_type: 'vendor',
      before: { status: 'pending' },
      after: { status: 'approved', reason: null },
    })
    expect(ofVendor[0].after).toMatchObject({ amount: -250, currency: 'EUR', reason: 'Damaged equipment' })
    const deactivations = (
      await call('GET', `/admin/audit?action=user.deactivate&target_id=${user.id}`, admin.auth)
    ).json()
    expect(deactivations.data).toEqual([
      expect.objectContaining({
        actor_id: admin.id,
        before: { status: 'active' },
        after: { status: 'deactivated' },
      }),
    ])
    expect(new Date(deactivations.data[0].at).getTime()).toBeLessThanOrEqual(Date.now())
  })
})
