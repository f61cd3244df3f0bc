import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

interface Seen {
  method: string
  route: string
  status: number
  contentType: string | undefined
  body: string
  headers: string[]
}

const WATCHED_HEADERS = ['location', 'idempotent-replayed', 'retry-after', 'www-authenticate', 'x-request-id']

/**
 * Records every response an app sends (status, content type, body, our headers) so that it can be
 * checked against the app's own OpenAPI document: a test that receives anything the document does
 * not promise fails, whatever that test was about.
 */
export function watchContract(app: FastifyInstance) {
  const seen: Seen[] = []
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url
    if (route && (typeof payload === 'string' || payload === null || payload === undefined)) {
      const names = Object.keys(reply.getHeaders()).map((h) => h.toLowerCase())
      seen.push({
        method: request.method.toLowerCase(),
        route,
        status: reply.statusCode,
        contentType: reply.getHeader('content-type') as string | undefined,
        body: payload ?? '',
        headers: WATCHED_HEADERS.filter((h) => names.includes(h)),
      })
    }
    return payload
  })

  return {
    /** Every response that broke the document's promises, said plainly. */
    violations(): string[] {
      const doc = app.swagger() as unknown as { paths: Record<string, any>; components: object }
      const ajv = new Ajv({ strict: false, allErrors: true })
      addFormats.default(ajv)
      ajv.addSchema({ $id: 'doc', components: doc.components })
      const rewrite = (schema: unknown) =>
        JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'))
      const cache = new Map<string, ReturnType<typeof ajv.compile>>()
      const out: string[] = []
      for (const s of seen) {
        const path = s.route.replace(/:([A-Za-z_]+)/g, '{$1}')
        const op = doc.paths[path]?.[s.method]
        if (!op) continue // routes left out of the document on purpose (/openapi.json, /docs)
        const where = `${s.method.toUpperCase()} ${path} → ${s.status}`
        const response = op.responses[String(s.status)] ?? op.responses.default
        if (!response) {
          out.push(`${where}: status not documented`)
          continue
        }
        for (const h of s.headers) {
          const documented = Object.keys(response.headers ?? {}).map((k) => k.toLowerCase())
          if (!documented.includes(h)) out.push(`${where}: header ${h} not documented`)
        }
        if (s.body === '' || s.status === 204) continue // Fastify sends no body with a 204
        const type = (s.contentType ?? '').split(';')[0]!.trim()
        const media = response.content?.[type]
        if (!media) {
          out.push(`${where}: content type ${type} not documented (${Object.keys(response.content ?? {})})`)
          continue
        }
        if (!type.includes('json') || !media.schema) continue
        const key = `${where}|${type}`
        let validate = cache.get(key)
        if (!validate) {
          validate = ajv.compile(rewrite(media.schema))
          cache.set(key, validate)
        }
        if (!validate(JSON.parse(s.body))) out.push(`${where}: body ${ajv.errorsText(validate.errors)}`)
      }
      return [...new Set(out)]
    },
  }
}
