import type { FastifyInstance } from 'fastify'
import helmet from 'helmet'

/**
 * Security headers from helmet. Our helmet settings give the same headers on every answer (no
 * per-request nonce), so its middleware runs once, against a recorder, and every answer gets that
 * header set in one call: helmet's per-request `setHeader` calls cost more than the headers themselves.
 * No upgrade-insecure-requests: the embedded default serves /docs over plain http on loopback.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = helmetHeaders()
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
}

/** The headers helmet's middleware sets, recorded from one run of it. */
export function helmetHeaders(): Record<string, string> {
  const middleware = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } })
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  let failed: unknown
  middleware({} as never, recorder as never, (err?: unknown) => {
    failed = err
  })
  if (failed || Object.keys(headers).length === 0) throw new Error(`helmet set no headers: ${String(failed)}`)
  return Object.freeze(headers)
}
