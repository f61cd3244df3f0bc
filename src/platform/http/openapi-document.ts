/**
 * Completes the OpenAPI document @fastify/swagger builds from the route schemas with what the
 * platform itself does on every route, so that the document tells the whole truth to a client
 * generated from it: errors as application/problem+json, the 400/401/413/415/422/503 the platform
 * answers, the headers it sends (X-Request-Id, Location, Idempotent-Replayed, Retry-After,
 * WWW-Authenticate), Idempotency-Key on every POST, an operationId per operation, named component
 * schemas (every schema with a `title`), `security: []` on public routes and a server.
 */

// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON walked generically
type Json = any

const PROBLEM = { $ref: '#/components/schemas/Problem' }
const METHODS = ['get', 'put', 'post', 'delete', 'patch']

const header = (description: string, schema: Json = { type: 'string' }) => ({ description, schema })
const HEADERS = {
  'X-Request-Id': header('Identifies this request in our logs; quote it when you contact us'),
  Location: header('Where the created object lives'),
  'Idempotent-Replayed': header(
    '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    {
      type: 'string',
      enum: ['true'],
    },
  ),
  'Retry-After': header('Seconds to wait before trying again', { type: 'string', pattern: '^[0-9]+$' }),
  'WWW-Authenticate': header('The authentication scheme to use: Bearer'),
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'No content',
  '400': 'The request is not valid (body, query, path or URL); `errors` names the fields',
  '401': 'No valid access token',
  '403': 'Not allowed to do this',
  '404': 'No such object (or not yours to see)',
  '409': 'Conflicts with the current state (sold out, not cancellable, a race lost, …)',
  '413': 'The body is larger than 1 MiB',
  '415': 'The body is not application/json',
  '422': 'This Idempotency-Key was used with a different request',
  '429': 'Too many requests; see Retry-After',
  '500': 'Something failed on our side; quote the request id',
  '503': 'A service the request needs (the database) is down; see Retry-After',
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((part) =>
      part.startsWith('{') ? 'ById' : part.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c) => (c ?? '').toUpperCase()),
    )
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
  return method + (words.join('') || 'Root')
}

/** Moves every schema with a title into components.schemas and points at it. */
function nameSchemas(doc: Json): void {
  doc.components.schemas ??= {}
  const schemas = doc.components.schemas
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit)
    if (node === null || typeof node !== 'object') return node
    const out: Json = {}
    for (const [k, v] of Object.entries(node)) out[k] = visit(v)
    if (typeof out.title === 'string' && out.type === 'object') {
      let name = out.title.replace(/[^A-Za-z0-9_]/g, '')
      const text = JSON.stringify(out)
      for (let i = 2; schemas[name] && JSON.stringify(schemas[name]) !== text; i++) name = `${out.title}${i}`
      schemas[name] = out
      return { $ref: `#/components/schemas/${name}` }
    }
    return out
  }
  doc.paths = visit(doc.paths)
}

export function completeDocument(doc: Json): Json {
  doc.servers = [{ url: '/', description: 'This server' }]
  doc.info.license = { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' }
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      op.operationId ??= operationId(method, path)
      op.security ??= []
      op.responses ??= {}
      const responses = op.responses
      const api = path.startsWith('/api/')
      const secured = op.security.length > 0
      const add = (status: string) => {
        responses[status] ??= {}
      }
      // What the platform answers on any route, whatever the route declares.
      // Any part of any request may be refused: a NUL character, a malformed URL, bad parameters.
      add('400')
      if (op.requestBody) {
        add('413')
        add('415')
      }
      if (secured) add('401')
      // Webhooks are de-duplicated by the provider's event id, not by Idempotency-Key.
      if (method === 'post' && api && !path.startsWith('/api/v1/webhooks/')) {
        add('400')
        add('409')
        add('422')
        const params = (op.parameters ?? []).filter((p: Json) => p.name !== 'Idempotency-Key')
        op.parameters = [
          ...params,
          {
            in: 'header',
            name: 'Idempotency-Key',
            required: false,
            description:
              'Your key for this request (1–255 visible ASCII characters): a retry with the same key and body gets the stored answer; with another body, 422',
            schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
          },
        ]
      }
      if (api) {
        add('500')
        add('503')
      }
      for (const [status, response] of Object.entries<Json>(responses)) {
        response.description =
          !response.description || response.description === 'Default Response'
            ? (STATUS_TEXT[status] ?? 'Response')
            : response.description
        const headers: Json = { 'X-Request-Id': HEADERS['X-Request-Id'] }
        const code = Number(status)
        // Errors are problem+json, unless the route documents a body of its own (e.g. /ready's 503).
        const own = response.content?.['application/json']?.schema
        if (code >= 400 && (!own || own.$ref?.endsWith('/Problem'))) {
          response.content = { 'application/problem+json': { schema: PROBLEM } }
        }
        if (code === 401) headers['WWW-Authenticate'] = HEADERS['WWW-Authenticate']
        if (code === 429 || code === 503 || code === 409) headers['Retry-After'] = HEADERS['Retry-After']
        if (code === 201) headers.Location = HEADERS.Location
        if (method === 'post' && api && code < 500)
          headers['Idempotent-Replayed'] = HEADERS['Idempotent-Replayed']
        response.headers = { ...headers, ...(response.headers ?? {}) }
      }
    }
  }
  nameSchemas(doc)
  return doc
}
