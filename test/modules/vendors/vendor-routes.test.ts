import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectProblem,
  givenAdmin,
  givenUser,
  givenVendor,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe.each(stacks)('vendors on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  beforeAll(async () => {
    env = await givenApp(stack)
    admin = await givenAdmin(env)
  })
  afterAll(() => env.close())

  const get = (url: string, headers: Record<string, string> = {}) =>
    env.app.inject({ url: `/api/v1${url}`, headers })
  const events = (id: string) =>
    env.c.db
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', id)
      .execute()
      .then((r) => r.map((e) => e.type))

  it('when a vendor registers, then it is pending with a 20% commission and its account is a traveller until approved', async () => {
    const email = uniqueEmail('v')
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/vendors/register',
      payload: {
        email,
        password: STRONG_PASSWORD,
        name: 'Vic',
        business_name: 'Vic Tours',
        phone: '+34 600 000 000',
      },
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ status: 'pending', business_name: 'Vic Tours', commission_rate: 0.2 })
    const user = await env.c.db
      .selectFrom('users')
      .select('role')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
    expect(user.role).toBe('traveler')
  })

  it.each([
    [{ status: 'approved' }, 'status'],
    [{ commission_rate: 0 }, 'commission_rate'],
  ])('when a vendor registers with %j, then 400 naming %s', async (extra, field) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/vendors/register',
      payload: {
        email: uniqueEmail(),
        password: STRONG_PASSWORD,
        name: 'V',
        business_name: 'B',
        phone: '+34 600 000 000',
        ...extra,
      },
    })
    expect(expectProblem(res, 400).errors.map((e: { field: string }) => e.field)).toContain(field)
  })

  it('when an admin approves, then the vendor is approved, its account becomes a vendor, and vendor.approved is in the outbox', async () => {
    const v = await givenVendor(env.app, admin, 'approved')
    expect((await get(`/vendors/${v.id}`, v.auth)).json().status).toBe('approved')
    expect((await get('/users/me', v.auth)).json().role).toBe('vendor')
    expect(await events(v.id)).toEqual(['vendor.approved'])
  })

  it('when an admin rejects with a reason, then vendor.rejected is written and approval is no longer possible', async () => {
    const v = await givenVendor(env.app, admin, 'rejected')
    expect(await events(v.id)).toEqual(['vendor.rejected'])
    expect((await get(`/vendors/${v.id}`, v.auth)).json()).toMatchObject({
      status: 'rejected',
      status_reason: 'Licence missing',
    })
    const again = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/vendors/${v.id}/approve`,
      headers: admin.auth,
    })
    expectProblem(again, 409, 'vendor.invalid_transition')
  })

  it('when a suspended vendor is approved again, then it is reinstated', async () => {
    const v = await givenVendor(env.app, admin, 'suspended')
    const res = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/vendors/${v.id}/approve`,
      headers: admin.auth,
    })
    expect(res.json().status).toBe('approved')
  })

  it('when a reject has no reason, then 400', async () => {
    const v = await givenVendor(env.app, admin, 'pending')
    const res = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/vendors/${v.id}/reject`,
      headers: admin.auth,
      payload: {},
    })
    expectProblem(res, 400)
  })

  it('when a non-admin calls an admin vendor route, then 403 and nothing changes', async () => {
    const v = await givenVendor(env.app, admin, 'pending')
    const other = await givenVendor(env.app, admin, 'approved')
    for (const who of [v, other]) {
      const res = await env.app.inject({
        method: 'POST',
        url: `/api/v1/admin/vendors/${v.id}/approve`,
        headers: who.auth,
      })
      expectProblem(res, 403, 'admin.required')
    }
    expectProblem(await get('/admin/vendors', other.auth), 403, 'admin.required')
    expect((await get(`/vendors/${v.id}`, admin.auth)).json().status).toBe('pending')
  })

  it('when anyone reads an approved vendor, then only public fields; the owner and admins see all', async () => {
    const v = await givenVendor(env.app, admin)
    const anon = (await get(`/vendors/${v.id}`)).json()
    expect(Object.keys(anon).sort()).toEqual(['business_name', 'created_at', 'id', 'status'])
    const stranger = await givenUser(env.app)
    expect(Object.keys((await get(`/vendors/${v.id}`, stranger.auth)).json()).sort()).toEqual(
      Object.keys(anon).sort(),
    )
    expect((await get(`/vendors/${v.id}`, v.auth)).json()).toHaveProperty('phone')
    expect((await get(`/vendors/${v.id}`, admin.auth)).json()).toHaveProperty('payout_account')
  })

  it('when anyone reads a pending vendor, then 404 (only its owner and admins see it)', async () => {
    const v = await givenVendor(env.app, admin, 'pending')
    expectProblem(await get(`/vendors/${v.id}`), 404, 'vendor.not_found')
    expect((await get(`/vendors/${v.id}`, v.auth)).statusCode).toBe(200)
  })

  it('when vendor A changes vendor B, then 404 and B is unchanged', async () => {
    const a = await givenVendor(env.app, admin)
    const b = await givenVendor(env.app, admin)
    const res = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/vendors/${b.id}`,
      headers: a.auth,
      payload: { business_name: 'Hijacked' },
    })
    expectProblem(res, 404)
    expect((await get(`/vendors/${b.id}`)).json().business_name).toBe('Vera Tours')
  })

  it.each([
    [{ status: 'approved' }, 'status'],
    [{ commission_rate: 0 }, 'commission_rate'],
    [{ commission_bps: 0 }, 'commission_bps'],
  ])('when a vendor sends %j about itself, then 400 and nothing changes', async (payload, field) => {
    const v = await givenVendor(env.app, admin, 'pending')
    const res = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/vendors/${v.id}`,
      headers: v.auth,
      payload: { business_name: 'New', ...payload },
    })
    expect(expectProblem(res, 400).errors.map((e: { field: string }) => e.field)).toContain(field)
    expect((await get(`/vendors/${v.id}`, v.auth)).json()).toMatchObject({
      status: 'pending',
      business_name: 'Vera Tours',
      commission_rate: 0.2,
    })
  })

  it('when the owner changes the profile, then it changes', async () => {
    const v = await givenVendor(env.app, admin)
    const res = await env.app.inject({
      method: 'PUT',
      url: `/api/v1/vendors/${v.id}`,
      headers: v.auth,
      payload: { business_name: 'Vera & Co', payout_account: 'acct_123456' },
    })
    expect(res.json()).toMatchObject({ business_name: 'Vera & Co', payout_account: 'acct_123456' })
  })

  it('when a traveller uses /vendors/login, then 401 as for a wrong password; a vendor signs in', async () => {
    const t = await givenUser(env.app)
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/vendors/login',
      payload: { email: t.email, password: t.password },
    })
    expectProblem(res, 401, 'auth.invalid_credentials')
  })

  it('when an admin lists vendors by status, then pages hold only that status and cover them all', async () => {
    const pending = await Promise.all([1, 2, 3].map(() => givenVendor(env.app, admin, 'pending')))
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res = await get(
        `/admin/vendors?status=pending&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        admin.auth,
      )
      expect(res.statusCode).toBe(200)
      const body = res.json()
      for (const v of body.data) {
        expect(v.status).toBe('pending')
        seen.push(v.id)
      }
      cursor = body.next_cursor
    } while (cursor)
    expect(seen).toEqual(expect.arrayContaining(pending.map((p) => p.id)))
    expect(new Set(seen).size).toBe(seen.length)
  })
})
