import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { givenAdmin, givenTrip, givenUser, givenVendor } from '../support/builders.js'
import { fingerprint } from '../support/fingerprint.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

type Json = any

/** Percent-encoding, or a raw invalid sequence for text that cannot be encoded (a lone surrogate). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return '%ED%A0%80'
  }
}

const RUNS_PER_OPERATION = 100
const SEED = 20261129

/** Text a careless client or an attacker sends: control characters, NUL, odd Unicode, huge numbers. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '%',
    '%E0%A4%A',
    '../../etc/passwd',
    "' or 1=1 --",
    '2147483648',
    '1e308',
    'Infinity',
    '-1',
    'NaN',
    '',
    ' ',
    '\uFFFF',
    '\uD800',
    'x'.repeat(300),
  ),
)
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(nasty, nasty, { maxKeys: 3 }),
)

/**
 * Property-based fuzzing from the OpenAPI document: for every operation, requests that are wrong in
 * at least one way the server must refuse (a body its schema refuses, a malformed path id, no or a
 * forged token), with everything else random too. Nothing may answer 5xx, every refusal is
 * problem+json, and the database is exactly as before.
 */
describe.each(stacks)('fuzzing every route on $name', (stack) => {
  let env: TestEnv
  let doc: Json
  const real: Record<string, string> = {}
  const tokens: Record<string, string | undefined> = {}
  beforeAll(async () => {
    env = await givenApp(stack)
    const admin = await givenAdmin(env)
    const vendor = await givenVendor(env.app, admin)
    const traveller = await givenUser(env.app)
    const trip = await givenTrip(env.app, vendor)
    const booking = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: traveller.auth,
      payload: { trip_id: trip.id, seats: 1 },
    })
    Object.assign(real, { usr: traveller.id, vnd: vendor.id, trp: trip.id, bkg: booking.json().id })
    Object.assign(tokens, {
      admin: admin.auth.authorization,
      vendor: vendor.auth.authorization,
      traveller: traveller.auth,
      none: undefined,
    })
    tokens.traveller = traveller.auth.authorization
    await env.app.ready()
    doc = env.app.swagger()
  })
  afterAll(() => env.close())

  it('when thousands of malformed requests hit every route, then none is a 5xx and nothing in the database changes', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false })
    addFormats.default(ajv)
    ajv.addSchema({ $id: 'doc', components: doc.components })
    const resolve = (schema: Json) =>
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'))
    const before = await fingerprint(env.c.db)
    let sent = 0
    const statuses: Record<number, number> = {}
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        const params = (op.parameters ?? []).filter((p: Json) => p.in === 'path')
        const queries = (op.parameters ?? []).filter((p: Json) => p.in === 'query')
        const bodySchema = op.requestBody?.content?.['application/json']?.schema
        const validBody = bodySchema ? ajv.compile(resolve(bodySchema)) : undefined
        const secured = op.security.length > 0
        // The one way each request is certainly wrong, so that nothing it asks may happen.
        const wrongIn = path.includes('/webhooks/')
          ? 'signature' // never a valid provider signature
          : validBody
            ? 'body'
            : params.length > 0
              ? 'path'
              : secured
                ? 'token'
                : 'nothing'
        if (wrongIn === 'nothing' && method !== 'get') throw new Error(`cannot fuzz ${method} ${path} safely`)

        const pathValue = (p: Json) =>
          fc.oneof(
            ...(wrongIn === 'path'
              ? []
              : [fc.constant(real[String(p.schema?.pattern ?? '').slice(1, 4)] ?? 'x')]),
            nasty.filter((v) => !new RegExp(p.schema?.pattern ?? '$^').test(v)),
          )
        const bodyProps = Object.keys(
          bodySchema?.$ref
            ? (doc.components.schemas[bodySchema.$ref.split('/').pop()]?.properties ?? {})
            : (bodySchema?.properties ?? {}),
        )
        const body = fc.oneof(
          {
            weight: 3,
            arbitrary: fc.dictionary(fc.constantFrom(...bodyProps, 'role', 'user_id', 'x'), anyValue, {
              maxKeys: 6,
            }),
          },
          { weight: 1, arbitrary: anyValue },
        )
        const request = fc.record({
          path: fc.tuple(...params.map(pathValue)),
          query: fc.dictionary(fc.constantFrom(...queries.map((q: Json) => q.name), 'x'), nasty, {
            maxKeys: 4,
          }),
          body: validBody ? body.filter((b) => !validBody(b)) : fc.option(body, { nil: undefined }),
          raw: fc.option(fc.constantFrom('{"broken": ', 'not json', '[]', 'null', '"text"'), {
            freq: 5,
            nil: undefined,
          }),
          token:
            wrongIn === 'token'
              ? fc.constantFrom(undefined, 'Bearer forged.token.value', 'Basic dXNlcjpwYXNz', 'Bearer ')
              : fc.constantFrom(...Object.values(tokens), 'Bearer nope'),
          key: fc.option(nasty, { freq: 3, nil: undefined }),
        })
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            let url = path
            params.forEach((p: Json, i: number) => {
              const v = String(r.path[i])
              url = url.replace(`{${p.name}}`, v.startsWith('%') ? v : encode(v))
            })
            const search = Object.entries(r.query as Record<string, string>)
              .map(([k, v]) => `${encode(k)}=${encode(v)}`)
              .join('&')
            const headers: Record<string, string> = {}
            if (r.token !== undefined) headers.authorization = r.token
            if (r.key !== undefined && /^[\x20-\x7e]*$/.test(r.key)) headers['idempotency-key'] = r.key
            if (wrongIn === 'signature' && r.key !== undefined && /^[\x20-\x7e]*$/.test(r.key))
              headers['stripe-signature'] = `t=1,v1=${r.key}`
            const hasBody =
              method !== 'get' && method !== 'delete' && (r.raw !== undefined || r.body !== undefined)
            if (hasBody) headers['content-type'] = 'application/json'
            const res = await env.app.inject({
              method: method.toUpperCase() as 'GET',
              url: search ? `${url}?${search}` : url,
              headers,
              ...(hasBody && { payload: r.raw ?? JSON.stringify(r.body) }),
            })
            sent++
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
            expect(res.statusCode, `${method.toUpperCase()} ${url} ${res.body}`).toBeLessThan(500)
            if (res.statusCode >= 400)
              expect(String(res.headers['content-type'])).toContain('application/problem+json')
          }),
          { numRuns: RUNS_PER_OPERATION, seed: SEED, endOnFailure: true },
        )
      }
    }
    expect(await fingerprint(env.c.db)).toEqual(before)
    console.log(`fuzz on ${stack.name}: ${sent} requests, statuses ${JSON.stringify(statuses)}`)
    expect(sent).toBeGreaterThan(1000)
  }, 120_000)
})
