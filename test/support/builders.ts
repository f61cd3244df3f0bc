import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { createAdmin } from '../../src/modules/users/index.js'

export const STRONG_PASSWORD = 'Lisbon-Tram-28-Yellow'

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.com`
}

export interface SignedUp {
  id: string
  email: string
  password: string
  token: string
  refresh: string
  auth: { authorization: string }
}

/** Registers a traveller through the API and returns its tokens. */
export async function givenUser(
  app: FastifyInstance,
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<SignedUp> {
  const email = overrides.email ?? uniqueEmail()
  const password = overrides.password ?? STRONG_PASSWORD
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email, password, name: overrides.name ?? 'Test Traveller' },
  })
  expect(res.statusCode, res.body).toBe(201)
  const body = res.json()
  return {
    id: body.user.id,
    email,
    password,
    token: body.access_token,
    refresh: body.refresh_token,
    auth: { authorization: `Bearer ${body.access_token}` },
  }
}

export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): any },
  status: number,
  code?: string,
) {
  expect(res.statusCode).toBe(status)
  expect(String(res.headers['content-type'])).toContain('application/problem+json')
  const body = res.json()
  expect(body.status).toBe(status)
  if (code) expect(body.code).toBe(code)
  expect(typeof body.detail).toBe('string')
  expect(body.request_id).toBe(res.headers['x-request-id'])
  return body
}

type App = FastifyInstance
type Auth = { authorization: string }

export async function loginAs(
  app: App,
  email: string,
  password: string,
  url = '/api/v1/auth/login',
): Promise<Auth> {
  const res = await app.inject({ method: 'POST', url, payload: { email, password } })
  expect(res.statusCode, res.body).toBe(200)
  return { authorization: `Bearer ${res.json().access_token}` }
}

/** An admin made the way an operator makes one (the CLI's use case), signed in through the API. */
export async function givenAdmin(env: {
  app: App
  c: Parameters<typeof createAdmin>[0]
}): Promise<{ id: string; email: string; auth: Auth }> {
  const email = uniqueEmail('admin')
  const admin = await createAdmin(env.c, { email, password: STRONG_PASSWORD, name: 'Admin' })
  return { id: admin.id, email, auth: await loginAs(env.app, email, STRONG_PASSWORD) }
}

export interface GivenVendor {
  id: string
  userId: string
  email: string
  auth: Auth
}

/** A vendor registered through the API and, unless told otherwise, approved by an admin. */
export async function givenVendor(
  app: App,
  admin: { auth: Auth },
  status: 'pending' | 'approved' | 'rejected' | 'suspended' = 'approved',
): Promise<GivenVendor> {
  const email = uniqueEmail('vendor')
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/vendors/register',
    payload: {
      email,
      password: STRONG_PASSWORD,
      name: 'Vera Vendor',
      business_name: 'Vera Tours',
      phone: '+351 912 000 111',
    },
  })
  expect(res.statusCode, res.body).toBe(201)
  const id = res.json().id
  const decide = async (verb: string, payload?: object) => {
    const r = await app.inject({
      method: 'POST',
      url: `/api/v1/admin/vendors/${id}/${verb}`,
      headers: admin.auth,
      payload,
    })
    expect(r.statusCode, r.body).toBe(200)
  }
  if (status === 'approved' || status === 'suspended') await decide('approve')
  if (status === 'suspended') await decide('suspend', { reason: 'Complaints under review' })
  if (status === 'rejected') await decide('reject', { reason: 'Licence missing' })
  return {
    id,
    userId: res.json().user_id,
    email,
    auth: await loginAs(app, email, STRONG_PASSWORD, '/api/v1/vendors/login'),
  }
}

export function tripBody(overrides: Record<string, unknown> = {}, now = Date.now()) {
  const starts = new Date(now + 30 * 86_400_000)
  return {
    title: 'Douro valley wine tour',
    description: 'Three quintas, lunch included.',
    location: 'Porto, Portugal',
    starts_at: starts.toISOString(),
    ends_at: new Date(starts.getTime() + 8 * 3_600_000).toISOString(),
    timezone: 'Europe/Lisbon',
    price: { amount: 12_500, currency: 'EUR' },
    capacity: 10,
    ...overrides,
  }
}

export async function givenTrip(app: App, vendor: { auth: Auth }, overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/trips',
    headers: vendor.auth,
    payload: tripBody(overrides),
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

/** The UTC date so many days from now (YYYY-MM-DD). */
export const dayFromNow = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10)

/** A product running Monday, Wednesday and Friday at 09:00 and 14:30 for the next four weeks. */
export function productBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Sintra palaces by minibus',
    description: 'Pena, Regaleira and the Moorish castle.',
    location: 'Sintra, Portugal',
    timezone: 'Europe/Lisbon',
    duration_minutes: 480,
    price: { amount: 6_900, currency: 'EUR' },
    capacity: 12,
    schedule: {
      days_of_week: [1, 3, 5],
      start_times: ['09:00', '14:30'],
      from: dayFromNow(1),
      to: dayFromNow(28),
    },
    ...overrides,
  }
}

/** A reseller registered by an admin and given access to a vendor's catalogue: its API key. */
export async function givenReseller(
  app: App,
  admin: { auth: Auth },
  vendor: { id: string; auth: Auth },
  options: { commissionBps?: number; name?: string; maxHeldSeats?: number } = {},
): Promise<{ id: string; key: string; accessId: string }> {
  const made = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/resellers',
    headers: admin.auth,
    payload: {
      name: options.name ?? 'Globetrotter OTA',
      contact_email: uniqueEmail('ota'),
      ...(options.maxHeldSeats && { max_held_seats: options.maxHeldSeats }),
    },
  })
  expect(made.statusCode, made.body).toBe(201)
  const granted = await app.inject({
    method: 'POST',
    url: `/api/v1/vendors/${vendor.id}/resellers`,
    headers: vendor.auth,
    payload: { reseller_id: made.json().id, commission_bps: options.commissionBps ?? 1500 },
  })
  expect(granted.statusCode, granted.body).toBe(201)
  return { id: made.json().id, key: granted.json().api_key, accessId: granted.json().access.id }
}
