import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { completeDocument } from './openapi-document.js'

/** The OpenAPI 3.1 document of every route at /openapi.json, browsable at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
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
    transformObject: (documents) =>
      completeDocument('openapiObject' in documents ? documents.openapiObject : documents.swaggerObject),
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
}
