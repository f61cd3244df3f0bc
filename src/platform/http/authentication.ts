import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Actor } from '../../shared/actor.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined
  }
  interface FastifyInstance {
    /** onRequest hook for routes that need a signed-in caller. */
    authenticate: onRequestHookHandler
  }
}

export function registerAuthentication(
  app: FastifyInstance,
  verify: (authorization: string | undefined) => Promise<Actor>,
) {
  app.decorateRequest('actor', undefined)
  app.decorate('authenticate', async function authenticate(request: FastifyRequest) {
    request.actor = await verify(request.headers.authorization)
  } as onRequestHookHandler)
}

/** The caller of a route that has the authenticate hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error(`route ${request.routeOptions.url} has no authenticate hook`)
  return request.actor
}
