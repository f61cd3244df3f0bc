import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Actor } from '../../shared/actor.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined
  }
  interface FastifyInstance {
    /** onRequest hook for routes that need a signed-in caller. */
    authenticate: onRequestHookHandler
    /** onRequest hook for routes open to anyone that show more to a signed-in caller. */
    authenticateOptional: onRequestHookHandler
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
  app.decorate('authenticateOptional', async function authenticateOptional(request: FastifyRequest) {
    // A bad token is still an error: silently treating it as anonymous would hide expired sessions.
    if (request.headers.authorization !== undefined)
      request.actor = await verify(request.headers.authorization)
  } as onRequestHookHandler)
}

/** The caller of a route that has the authenticate hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error(`route ${request.routeOptions.url} has no authenticate hook`)
  return request.actor
}
