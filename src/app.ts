import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { Type } from 'typebox'
import type { Container } from './container.js'
import { authenticate, authRoutes, revokeUserSessions } from './modules/auth/index.js'
import { bookingRoutes, cancelTripBookings } from './modules/bookings/index.js'
import { tripRoutes } from './modules/trips/index.js'
import { userRoutes } from './modules/users/index.js'
import { vendorRoutes } from './modules/vendors/index.js'
import { registerAuthentication } from './platform/http/authentication.js'
import { registerIdempotency } from './platform/http/idempotency.js'
import { registerMetrics } from './platform/http/metrics.js'
import { problem, sendProblem } from './platform/http/problem.js'
import { Problem } from './platform/http/schemas.js'
import { registerSecurityHeaders } from './platform/http/security-headers.js'
import { newId } from './shared/ids.js'

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method + URL), to compare with the OpenAPI document. */
    routeList: { method: string; url: string; hidden: boolean }[]
  }
}

function validators() {
  // Bodies are strict (a string is not a number); query and path parameters are text, so coerced.
  const options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const
  const body = new Ajv({ ...options, coerceTypes: false })
  const params = new Ajv({ ...options, coerceTypes: 'array' })
  addFormats.default(body)
  addFormats.default(params)
  return { body, params }
}

/** Builds the HTTP API on a container; does not listen. */
export async function buildApp(c: Container): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: c.log as FastifyBaseLogger,
    logController: new LogController({
      disableRequestLogging: c.config.logLevel !== 'debug' && c.config.logLevel !== 'trace',
    }),
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    trustProxy: c.config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newId('req')
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const ajv = validators()
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? ajv.body : ajv.params).compile(schema),
  )
  app.addSchema(Problem)

  app.routeList = []
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      app.routeList.push({
        method,
        url: route.url,
        hidden: Boolean((route.schema as { hide?: boolean })?.hide),
      })
    }
  })

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  app.setErrorHandler((err, request, reply) => sendProblem(err as Error, request, reply, request.log))
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .type('application/problem+json')
      .send(
        problem(
          404,
          'route.not_found',
          `No route ${request.method} ${request.url.split('?')[0]}.`,
          String(request.id),
        ),
      )
  })

  registerSecurityHeaders(app)
  await app.register(cors, { origin: c.config.corsOrigins.length > 0 ? [...c.config.corsOrigins] : false })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Travellr API',
        version: '1.0.0',
        description:
          'Travel-booking marketplace. Errors are RFC 9457 problem+json with a stable `code`. ' +
          'Money is integer minor units with an ISO 4217 currency. Mutating POSTs accept `Idempotency-Key`.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // As for the API: the embedded default serves /docs over plain http on loopback.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  const registry = registerMetrics(app)
  registerAuthentication(app, (authorization) => authenticate(c, authorization))
  registerIdempotency(app, {
    db: c.db,
    clock: c.clock,
    secret: c.config.jwtSecret,
    scopeOf: (request) => (request.actor ? `usr:${request.actor.userId}` : 'anon'),
  })

  const Health = Type.Object({ status: Type.String() })
  app.get(
    '/health',
    { schema: { tags: ['ops'], summary: 'Liveness', response: { 200: Health } } },
    async () => ({
      status: 'ok',
    }),
  )
  app.get(
    '/ready',
    {
      schema: {
        tags: ['ops'],
        summary: 'Readiness of the database and the cache',
        response: {
          200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const check = async (ping: () => Promise<void>) => {
        try {
          await Promise.race([
            ping(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
          ])
          return 'up'
        } catch {
          return 'down'
        }
      }
      const [database, cache] = await Promise.all([
        check(() => c.database.ping()),
        check(() => c.cache.ping()),
      ])
      const ready = database === 'up' && cache === 'up'
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { database, cache } })
    },
  )
  app.get(
    '/metrics',
    { schema: { tags: ['ops'], summary: 'Prometheus metrics', produces: ['text/plain'] } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  )

  const revokeSessions = (trx: Container['db'], userId: string, reason: string, now: Date) =>
    revokeUserSessions(c, trx, userId, reason, now)
  await app.register(
    async (api) => {
      await api.register(authRoutes(c))
      await api.register(userRoutes({ ...c, revokeSessions }))
      await api.register(vendorRoutes(c))
      await api.register(tripRoutes({ ...c, cancelTripBookings }))
      await api.register(bookingRoutes(c))
    },
    { prefix: '/api/v1' },
  )
  return app
}
