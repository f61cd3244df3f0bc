import type { FastifyPluginAsync } from 'fastify'
import type { Registry } from 'prom-client'
import { Type } from 'typebox'

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

/** Liveness (/health), readiness of what the API needs (/ready), and Prometheus metrics (/metrics). */
export function opsRoutes(deps: {
  database: Pingable
  cache: Pingable
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
          summary: 'Readiness of the database and the cache',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        const [database, cache] = await Promise.all([
          check(() => deps.database.ping()),
          check(() => deps.cache.ping()),
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
      async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
    )
  }
}
