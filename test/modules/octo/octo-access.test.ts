import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  dayFromNow,
  expectProblem,
  type GivenVendor,
  givenAdmin,
  givenReseller,
  givenUser,
  givenVendor,
  productBody,
} from '../../support/builders.js'
import { octoClient } from '../../support/octo.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

type Json = any

describe.each(stacks)('reseller keys on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let alpha: GivenVendor
  let beta: GivenVendor
  let alphaProduct: Json
  let betaProduct: Json
  beforeAll(async () => {
    env = await givenApp(stack)
    admin = await givenAdmin(env)
    alpha = await givenVendor(env.app, admin)
    beta = await givenVendor(env.app, admin)
    const publish = async (vendor: GivenVendor) => {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/v1/products',
        headers: vendor.auth,
        payload: productBody({ schedule: { dates: [`${dayFromNow(9)}T10:00`] } }),
      })
      expect(res.statusCode, res.body).toBe(201)
      return res.json()
    }
    alphaProduct = await publish(alpha)
    betaProduct = await publish(beta)
  })
  afterAll(() => env.close())

  // Every answer is checked against the OCTO specification's schemas by the client.
  const octo = (app: TestEnv['app'], key: string, method: string, url: string, payload?: object) =>
    octoClient(app, key)(method, url, payload)
  const reserve = (key: string, product: Json) =>
    octo(env.app, key, 'POST', '/bookings', {
      uuid: randomUUID(),
      productId: product.id,
      optionId: 'DEFAULT',
      availabilityId: product.departures[0].starts_at_local,
      unitItems: [{ unitId: 'adult' }],
    })

  it('when a key of one vendor asks for another vendor’s products or another reseller’s bookings, then they do not exist for it', async () => {
    const one = await givenReseller(env.app, admin, alpha, { name: 'One OTA' })
    const other = await givenReseller(env.app, admin, alpha, { name: 'Other OTA' })
    const oneAtBeta = await env.app.inject({
      method: 'POST',
      url: `/api/v1/vendors/${beta.id}/resellers`,
      headers: beta.auth,
      payload: { reseller_id: one.id, commission_bps: 1000 },
    })
    expect(oneAtBeta.statusCode, oneAtBeta.body).toBe(201)
    const betaKey = oneAtBeta.json().api_key

    const products = (await octo(env.app, one.key, 'GET', '/products')).json()
    expect(products.map((p: Json) => p.id)).toEqual([alphaProduct.id])
    expect((await octo(env.app, one.key, 'GET', `/products/${betaProduct.id}`)).json().error).toBe(
      'INVALID_PRODUCT_ID',
    )
    expect((await reserve(one.key, betaProduct)).json().error).toBe('INVALID_PRODUCT_ID')
    const availability = await octo(env.app, one.key, 'POST', '/availability', {
      productId: betaProduct.id,
      optionId: 'DEFAULT',
      localDate: dayFromNow(9),
    })
    expect(availability.json().error).toBe('INVALID_PRODUCT_ID')

    const booked = await reserve(one.key, alphaProduct)
    expect(booked.statusCode, booked.body).toBe(200)
    const { uuid, id } = booked.json()
    // Another reseller on the same catalogue, and the same reseller through another vendor's key, see nothing.
    for (const key of [other.key, betaKey]) {
      const res = await octo(env.app, key, 'GET', `/bookings/${uuid}`)
      expect(res.json()).toMatchObject({ error: 'INVALID_BOOKING_UUID', uuid })
      expect((await octo(env.app, key, 'POST', `/bookings/${uuid}/cancel`, {})).json().error).toBe(
        'INVALID_BOOKING_UUID',
      )
      expect((await octo(env.app, key, 'GET', `/bookings?supplierReference=${id}`)).json()).toEqual([])
    }
    expect((await octo(env.app, one.key, 'GET', `/bookings/${uuid}`)).json().status).toBe('ON_HOLD')
  })

  it('when the vendor revokes a key, then it is refused at once on every instance, and a new grant gives a new key', async () => {
    const reseller = await givenReseller(env.app, admin, alpha, { name: 'Revoked OTA' })
    const second = await env.secondInstance()
    expect((await octo(second.app, reseller.key, 'GET', '/supplier')).statusCode).toBe(200)
    const revoked = await env.app.inject({
      method: 'DELETE',
      url: `/api/v1/vendors/${alpha.id}/resellers/${reseller.accessId}`,
      headers: alpha.auth,
    })
    expect(revoked.statusCode, revoked.body).toBe(200)
    expect(revoked.json().revoked_at).not.toBeNull()
    for (const app of [env.app, second.app]) {
      const res = await octo(app, reseller.key, 'GET', '/supplier')
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toBe('FORBIDDEN')
    }
    const listed = (
      await env.app.inject({ url: `/api/v1/vendors/${alpha.id}/resellers`, headers: alpha.auth })
    ).json()
    expect(listed.data.find((a: Json) => a.id === reseller.accessId)).toMatchObject({
      revoked_at: expect.any(String),
    })
    const again = await env.app.inject({
      method: 'POST',
      url: `/api/v1/vendors/${alpha.id}/resellers`,
      headers: alpha.auth,
      payload: { reseller_id: reseller.id, commission_bps: 1200 },
    })
    expect(again.statusCode, again.body).toBe(201)
    expect((await octo(env.app, again.json().api_key, 'GET', '/supplier')).statusCode).toBe(200)
    expect((await octo(env.app, reseller.key, 'GET', '/supplier')).json().error).toBe('FORBIDDEN')
    // The key itself is never stored.
    const stored = await env.c.db.selectFrom('reseller_access').select('key_hash').execute()
    expect(stored.map((r) => r.key_hash)).not.toContain(again.json().api_key)
  })

  it('when a key is live twice, or someone else manages a vendor’s resellers, then it is refused', async () => {
    const reseller = await givenReseller(env.app, admin, alpha, { name: 'Twice OTA' })
    const twice = await env.app.inject({
      method: 'POST',
      url: `/api/v1/vendors/${alpha.id}/resellers`,
      headers: alpha.auth,
      payload: { reseller_id: reseller.id, commission_bps: 1000 },
    })
    expectProblem(twice, 409, 'reseller.access_exists')
    const traveller = await givenUser(env.app)
    expectProblem(
      await env.app.inject({
        method: 'POST',
        url: `/api/v1/vendors/${alpha.id}/resellers`,
        headers: beta.auth,
        payload: { reseller_id: reseller.id, commission_bps: 1000 },
      }),
      404,
    )
    expectProblem(
      await env.app.inject({
        method: 'DELETE',
        url: `/api/v1/vendors/${alpha.id}/resellers/${reseller.accessId}`,
        headers: traveller.auth,
      }),
      404,
    )
    expectProblem(
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/admin/resellers',
        headers: traveller.auth,
        payload: { name: 'Sneaky', contact_email: 'x@example.com' },
      }),
      403,
    )
    // The reseller's account can never sign in: it has no email and no password.
    const account = await env.c.db
      .selectFrom('resellers as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['u.email', 'u.password_hash', 'u.role'])
      .where('r.id', '=', reseller.id)
      .executeTakeFirstOrThrow()
    expect(account).toEqual({ email: null, password_hash: null, role: 'reseller' })
  })

  it('when an admin suspends a reseller, then all its keys are refused until it is let back, on record', async () => {
    const reseller = await givenReseller(env.app, admin, alpha, { name: 'Paused OTA' })
    const admin2 = (verb: string) =>
      env.app.inject({
        method: 'POST',
        url: `/api/v1/admin/resellers/${reseller.id}/${verb}`,
        headers: admin.auth,
      })
    const suspended = await admin2('suspend')
    expect(suspended.statusCode, suspended.body).toBe(200)
    expect(suspended.json().status).toBe('suspended')
    expect((await octo(env.app, reseller.key, 'GET', '/supplier')).json().error).toBe('FORBIDDEN')
    expect((await admin2('activate')).json().status).toBe('active')
    expect((await octo(env.app, reseller.key, 'GET', '/supplier')).statusCode).toBe(200)
    const audit = await env.c.db
      .selectFrom('admin_audit')
      .select('action')
      .where('target_id', '=', reseller.id)
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['reseller.register', 'reseller.suspend', 'reseller.activate'])
  })

  it('when the vendor is suspended, then its keys are refused', async () => {
    const vendor = await givenVendor(env.app, admin)
    const reseller = await givenReseller(env.app, admin, vendor, { name: 'Suspended OTA' })
    expect((await octo(env.app, reseller.key, 'GET', '/products')).statusCode).toBe(200)
    const suspended = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/vendors/${vendor.id}/suspend`,
      headers: admin.auth,
      payload: { reason: 'Under review' },
    })
    expect(suspended.statusCode, suspended.body).toBe(200)
    expect((await octo(env.app, reseller.key, 'GET', '/products')).json().error).toBe('FORBIDDEN')
  })
})
