import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify'
import { ValidationError } from '../../shared/errors.js'
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

/** Where in a parsed request part a string holds U+0000, if anywhere. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined
  if (value === null || typeof value !== 'object') return undefined
  for (const [key, inner] of Object.entries(value)) {
    const found = key.includes('\u0000') ? path : nulAt(inner, `${path}.${key}`)
    if (found) return found
  }
  return undefined
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
    // A client that trickles its headers or body is answered 408 and cut when its time is up; Node
    // checks every second, so a slow client holds a socket (not the event loop) for that long at most.
    requestTimeout: config.requestTimeoutSeconds * 1000,
    http: {
      headersTimeout: Math.min(10, config.requestTimeoutSeconds) * 1000,
      connectionsCheckingInterval: 1000,
    },
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    // Trust exactly the configured number of proxy hops: the client address is the X-Forwarded-For
    // entry that many from the right, never one the client wrote itself.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newId('req')
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Errors Fastify meets before routing (a malformed or over-long path) answer like every other error.
    frameworkErrors: (err, request, typedReply) => {
      const reply = typedReply as FastifyReply
      reply.header('x-request-id', request.id)
      const detail =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'A path parameter is longer than 200 characters.'
          : 'The URL is not valid (check its percent-encoding).'
      reply
        .status(400)
        .type('application/problem+json')
        .send(problem(400, 'request.bad_url', detail, String(request.id)))
    },
    // Errors Node's HTTP parser meets (headers or URL too large, garbage): problem+json on the socket.
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return
      if (socket.writable) {
        const [status, title, detail] =
          err.code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large', 'The URL or headers are larger than 16 KiB.']
            : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? [408, 'Request Timeout', 'The request took too long to arrive.']
              : [400, 'Bad Request', 'The request is not valid HTTP.']
        const id = newId('req')
        const body = JSON.stringify({ ...problem(status, 'request.malformed', detail, id), title })
        socket.write(
          `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
        )
      }
      socket.destroy(err)
    },
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
  // PostgreSQL cannot store a NUL character in text (SQLite can): refuse it everywhere, before any
  // schema or query sees it, so both databases answer the same clean 400.
  app.addHook('preValidation', (request, _reply, done) => {
    const field =
      nulAt(request.params, 'path') ?? nulAt(request.query, 'query') ?? nulAt(request.body, 'body')
    done(field ? new ValidationError([{ field, message: 'must not contain a NUL character' }]) : undefined)
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
  // Graceful shutdown: once closing starts, answers in flight go out with `Connection: close`, so a
  // keep-alive client (a load balancer) lets go of the socket and close() does not wait for its timeout.
  let draining = false
  app.addHook('preClose', (done) => {
    draining = true
    done()
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })
  // CORS only where origins are allowed: without any, no hook runs (a browser on another origin is refused).
  if (config.corsOrigins.length > 0) await app.register(cors, { origin: [...config.corsOrigins] })
  return app
}
