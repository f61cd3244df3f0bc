import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'

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
