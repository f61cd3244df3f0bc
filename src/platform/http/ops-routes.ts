import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import { Type } from 'typebox'
import { AppError } from '../../shared/errors.js'
import { problems } from './schemas.js'

interface Pingable {
  ping(): Promise<void>
}

const Readiness = Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) })

async function check(ping: () => Promise<void>): Promise<'up' | 'down'> {
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

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * Who may read /metrics: with METRICS_TOKEN set, a caller presenting it as a bearer token; without,
 * only a caller on this machine (a scraper beside the process, or through an ops port).
 */
function metricsAllowed(token: string | undefined, ip: string, authorization: string | undefined): boolean {
  if (token === undefined) return LOOPBACK.test(ip)
  const sent = /^Bearer +(.+)$/i.exec(authorization ?? '')?.[1] ?? ''
  return timingSafeEqual(digest(sent), digest(token))
}

/** Liveness (/health), readiness of what the API needs (/ready), and Prometheus metrics (/metrics). */
export function opsRoutes(deps: {
  metricsToken: string | undefined
  database: Pingable
  cache: Pingable
  /** The event queue (Redis with BullMQ; always up in-process). */
  queue: { ping(): Promise<boolean> }
  registry: Registry
}): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['ops'],
          summary: 'Liveness',
          response: { 200: Type.Object({ status: Type.String() }) },
        },
      },
      async () => ({ status: 'ok' }),
    )
    app.get(
      '/ready',
      {
        schema: {
          tags: ['ops'],
          summary:
            'Readiness: 503 only when the database is down; a cache or queue outage is reported as degraded (the API keeps answering from the database, events wait in the outbox)',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        const [database, cache, queue] = await Promise.all([
          check(() => deps.database.ping()),
          check(() => deps.cache.ping()),
          check(async () => {
            if (!(await deps.queue.ping())) throw new Error('queue down')
          }),
        ])
        const status =
          database === 'down' ? 'unavailable' : cache === 'up' && queue === 'up' ? 'ready' : 'degraded'
        return reply
          .status(database === 'up' ? 200 : 503)
          .send({ status, checks: { database, cache, queue } })
      },
    )
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['ops'],
          summary: 'Prometheus metrics (METRICS_TOKEN as a bearer token; without one, loopback only)',
          produces: ['text/plain'],
          response: {
            200: Type.String({ description: 'Prometheus text exposition format' }),
            ...problems(401),
          },
        },
      },
      async (request, reply) => {
        if (!metricsAllowed(deps.metricsToken, request.ip, request.headers.authorization)) {
          reply.header('www-authenticate', 'Bearer')
          throw new AppError('unauthorized', 'metrics.unauthorized', 'Metrics need the metrics token.')
        }
        return reply.type(deps.registry.contentType).send(await deps.registry.metrics())
      },
    )
  }
}
