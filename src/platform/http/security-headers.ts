import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

/**
 * Security headers from helmet, its middleware built once (its header values are computed then) and
 * run in one synchronous hook. No upgrade-insecure-requests: the embedded default serves /docs over
 * plain http on loopback.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const setHeaders = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } })
  app.addHook('onRequest', (request, reply, done) => {
    setHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined))
  })
}
