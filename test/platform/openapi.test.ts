import swagger from '@fastify/swagger'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import Fastify from 'fastify'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { watchContract } from '../support/contract.js'
import { givenApp, stacks, type TestEnv } from '../support/stacks.js'

type Doc = any

describe('the OpenAPI document', () => {
  let env: TestEnv
  let doc: Doc
  beforeAll(async () => {
    env = await givenApp(stacks[0]!)
    await env.app.ready()
    doc = env.app.swagger()
  })
  afterAll(() => env.close())

  const operations = () =>
    Object.entries<Doc>(doc.paths).flatMap(([path, item]) =>
      Object.entries<Doc>(item).map(([method, op]) => ({ path, method, op })),
    )

  it('when linted with Redocly’s recommended rules, then it has no error', async () => {
    const config = await createConfig({ extends: ['recommended'] })
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: 'openapi.json',
      config,
    })
    const errors = problems.filter((p) => p.severity === 'error')
    expect(errors.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([])
    expect(problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([])
  })

  it('when a client is generated from it, then every operation has a unique id and the main types have names', () => {
    const ids = operations().map((o) => o.op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toContain('postBookings')
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Problem',
        'Trip',
        'TripPage',
        'Booking',
        'BookingPage',
        'User',
        'Vendor',
        'SignedIn',
      ]),
    )
    expect(doc.servers).toEqual([{ url: '/', description: 'This server' }])
  })

  it('when an operation can fail, then its errors are problem+json with the headers the server sends', () => {
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries<Doc>(op.responses)) {
        expect(response.headers?.['X-Request-Id'], `${method} ${path} ${status}`).toBeDefined()
        if (Number(status) >= 400 && path !== '/ready')
          expect(Object.keys(response.content), `${method} ${path} ${status}`).toEqual([
            'application/problem+json',
          ])
        if (status === '401') expect(response.headers['WWW-Authenticate']).toBeDefined()
        if (status === '429' || status === '503') expect(response.headers['Retry-After']).toBeDefined()
      }
      if (op.parameters?.some((p: Doc) => p.in === 'path'))
        expect(op.responses['400'], `${method} ${path}`).toBeDefined()
      if (op.requestBody)
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '413', '415']))
      if (method === 'post' && path.startsWith('/api/') && !path.includes('/webhooks/')) {
        expect(
          op.parameters.map((p: Doc) => p.name),
          `${method} ${path}`,
        ).toContain('Idempotency-Key')
        expect(op.responses['422']).toBeDefined()
      }
      if (!path.startsWith('/api/v1/auth') && op.security.length === 0 && path.startsWith('/api/'))
        expect(['get', 'post']).toContain(method) // public: catalogue reads and sign-ups only
    }
    expect(doc.paths['/api/v1/bookings'].post.responses['201'].headers.Location).toBeDefined()
    expect(doc.paths['/api/v1/trips'].get.security).toEqual([])
  })
})

describe('the contract check every HTTP test runs', () => {
  it('when a response breaks the document (status, body, header), then it is reported', async () => {
    const app = Fastify()
    await app.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } } })
    const contract = watchContract(app)
    app.get(
      '/thing',
      { schema: { response: { 200: Type.Object({ name: Type.String() }) } } },
      async (request, reply) => {
        const q = request.query as { as?: string }
        if (q.as === 'teapot') return reply.status(418 as 200).send({ name: 'x' })
        if (q.as === 'number') return reply.type('application/json').send('{"name":5}')
        if (q.as === 'header') reply.header('retry-after', '1')
        return { name: 'ok' }
      },
    )
    await app.ready()
    for (const as of ['ok', 'teapot', 'number', 'header']) await app.inject(`/thing?as=${as}`)
    expect(contract.violations()).toEqual([
      'GET /thing → 418: status not documented',
      'GET /thing → 200: body data/name must be string',
      'GET /thing → 200: header retry-after not documented',
    ])
    await app.close()
  })
})
