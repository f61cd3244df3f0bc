import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { bearer, type DepsOf, noStore, problems } from '../../platform/http/schemas.js'
import { LoginBody, RefreshBody, RegisterBody, SignedInView, signedInView } from './auth-schemas.js'
import { logIn } from './log-in.js'
import { refreshSession } from './refresh-session.js'
import { registerUser } from './register-user.js'
import { logOut } from './revoke-sessions.js'

export type AuthRouteDeps = DepsOf<typeof registerUser> &
  DepsOf<typeof logIn> &
  DepsOf<typeof refreshSession> &
  DepsOf<typeof logOut>

export function authRoutes(deps: AuthRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Answers here carry tokens: never stored by a cache.
    app.addHook('onRequest', noStore)
    app.post(
      '/auth/register',
      {
        schema: {
          tags: ['auth'],
          summary: 'Create a traveller account and sign in',
          body: RegisterBody,
          response: { 201: SignedInView, ...problems(400, 409, 422, 429) },
        },
      },
      async (request, reply) => {
        const signedIn = await registerUser(deps, { ...request.body, ip: request.ip })
        return reply.status(201).send(signedInView(signedIn))
      },
    )

    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password',
          body: LoginBody,
          response: { 200: SignedInView, ...problems(400, 401, 429) },
        },
      },
      async (request) => signedInView(await logIn(deps, { ...request.body, ip: request.ip })),
    )

    app.post(
      '/auth/refresh',
      {
        // A retry with the same Idempotency-Key gets the new pair back for a few seconds; later, the
        // spent refresh token counts as reuse (the family is revoked).
        config: { idempotencyReplaySeconds: 10 },
        schema: {
          tags: ['auth'],
          summary: 'Trade a refresh token for a new pair (the old one is spent)',
          body: RefreshBody,
          response: { 200: SignedInView, ...problems(400, 401) },
        },
      },
      async (request) =>
        signedInView(await refreshSession(deps, { refreshToken: request.body.refresh_token })),
    )

    app.post(
      '/auth/logout',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['auth'],
          summary: 'End this session: its access and refresh tokens stop working at once',
          security: bearer,
          response: { 204: Type.Null(), ...problems(401) },
        },
      },
      async (request, reply) => {
        await logOut(deps, actorOf(request))
        return reply.status(204).send(null)
      },
    )
  }
}
