import {
  zAvailability,
  zAvailabilityCalendar,
  zBaseError,
  zBooking,
  zProduct,
  zSupplier,
} from '@octocloud/types'
import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'

type Json = any
export type Schema = { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }
export type Reply = { statusCode: number; body: string; json(): Json }

/** An array of items that each pass `item`. */
export const listOf = (item: Schema): Schema => ({
  safeParse: (v) => {
    if (!Array.isArray(v)) return { success: false, error: { issues: ['not an array'] } }
    for (const x of v) {
      const r = item.safeParse(x)
      if (!r.success) return r
    }
    return { success: true }
  },
})

/** The OCTO specification's schema (from `@octocloud/types`) of a successful answer to this request. */
function schemaOf(method: string, url: string): Schema {
  const path = url.split('?')[0]!
  if (path === '/supplier') return zSupplier
  if (path === '/products') return listOf(zProduct)
  if (path.startsWith('/products/')) return zProduct
  if (path === '/availability/calendar') return listOf(zAvailabilityCalendar)
  if (path === '/availability') return listOf(zAvailability)
  if (path === '/bookings' && method === 'GET') return listOf(zBooking)
  return zBooking
}

/** Checks a body against a schema of the OCTO specification; the body. */
export function conforms(res: Reply, schema: Schema): Json {
  const body = res.json()
  const parsed = schema.safeParse(body)
  expect(parsed.success, `${res.body.slice(0, 500)}\n${JSON.stringify(parsed.error?.issues)}`).toBe(true)
  return body
}

/**
 * A client of our OCTO API that checks every answer against the specification's own schemas: a
 * success against the endpoint's schema, an error against OCTO's error shape (status 400, or 503).
 */
export function octoClient(app: FastifyInstance, key: string | null, capabilities = 'octo/pricing') {
  return async (method: string, url: string, payload?: unknown) => {
    const res = await app.inject({
      method: method as 'GET',
      url: `/octo${url}`,
      headers: {
        ...(key && { authorization: `Bearer ${key}` }),
        ...(capabilities && { 'octo-capabilities': capabilities }),
      },
      ...(payload !== undefined && { payload: payload as object }),
    })
    if (res.statusCode === 200) conforms(res, schemaOf(method, url))
    else if (res.statusCode !== 404) conforms(res, zBaseError)
    return res
  }
}
