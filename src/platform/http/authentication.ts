import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Actor } from '../../shared/actor.js'
import { AppError } from '../../shared/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined
  }
  interface FastifyInstance {
    /** onRequest hook for routes that need a signed-in caller. */
    authenticate: onRequestHookHandler
    /** onRequest hook for /admin routes: a signed-in admin, or 401 / 403. */
    authenticateAdmin: onRequestHookHandler
    /** onRequest hook for routes open to anyone that show more to a signed-in caller. */
    authenticateOptional: onRequestHookHandler
  }
}

export function registerAuthentication(
  app: FastifyInstance,
  verify: (authorization: string | undefined) => Promise<Actor>,
) {
  app.decorateRequest('actor', undefined)
  // What a signed-in caller sees is theirs alone: no shared cache or browser history may keep it.
  app.decorate('authenticate', async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    reply.header('cache-control', 'no-store')
    request.actor = await verify(request.headers.authorization)
  } as onRequestHookHandler)
  app.decorate('authenticateAdmin', async function authenticateAdmin(
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    reply.header('cache-control', 'no-store')
    request.actor = await verify(request.headers.authorization)
    if (request.actor.role !== 'admin')
      throw new AppError('forbidden', 'admin.required', 'Only an admin may do this.')
  } as onRequestHookHandler)
  app.decorate('authenticateOptional', async function authenticateOptional(
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    // A bad token is still an error: silently treating it as anonymous would hide expired sessions.
    if (request.headers.authorization !== undefined) {
      reply.header('cache-control', 'no-store')
      request.actor = await verify(request.headers.authorization)
    }
  } as onRequestHookHandler)
}

/** The caller of a route that has the authenticate hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error(`route ${request.routeOptions.url} has no authenticate hook`)
  return request.actor
}
