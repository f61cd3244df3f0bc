import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { newId } from '../../shared/ids.js'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { problem, sendProblem } from './problem.js'
import { Problem } from './schemas.js'
import { registerSecurityHeaders } from './security-headers.js'

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

/**
 * The HTTP server every route runs in: limits and timeouts, request ids, validation, the one error
 * handler (problem+json), security headers and CORS, and the list of routes.
 */
export async function createHttpServer(config: Config, log: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    trustProxy: config.trustProxy,
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
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false })
  return app
}
