import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import type { DepsOf } from '../../platform/http/schemas.js'
import { bearer, problems } from '../../platform/http/schemas.js'
import { changeUserStatus } from './change-user-status.js'
import { deleteUser } from './delete-user.js'
import { getUser } from './get-user.js'
import { listUsers } from './list-users.js'
import { updateUser } from './update-user.js'
import { AdminUserQuery, UpdateUserBody, UserIdParams, UserView, userView } from './user-schemas.js'

export type UserRouteDeps = DepsOf<typeof getUser> &
  DepsOf<typeof updateUser> &
  DepsOf<typeof deleteUser> &
  DepsOf<typeof changeUserStatus>

export function userRoutes(deps: UserRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/users/me',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['users'],
          summary: 'Your own profile',
          security: bearer,
          response: { 200: UserView, ...problems(401) },
        },
      },
      async (request) => {
        const actor = actorOf(request)
        return userView(await getUser(deps, actor, actor.userId))
      },
    )

    app.get(
      '/users/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['users'],
          summary: 'A profile (yourself, or anyone for admins)',
          security: bearer,
          params: UserIdParams,
          response: { 200: UserView, ...problems(401, 404) },
        },
      },
      async (request) => userView(await getUser(deps, actorOf(request), request.params.id)),
    )

    app.put(
      '/users/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['users'],
          summary: 'Change a profile; email or password changes need current_password and end all sessions',
          security: bearer,
          params: UserIdParams,
          body: UpdateUserBody,
          response: { 200: UserView, ...problems(400, 401, 404, 409) },
        },
      },
      async (request) => {
        const b = request.body
        const user = await updateUser(deps, actorOf(request), request.params.id, {
          name: b.name,
          phone: b.phone,
          language: b.language,
          email: b.email,
          password: b.password,
          currentPassword: b.current_password,
        })
        return userView(user)
      },
    )

    app.delete(
      '/users/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['users'],
          summary: 'Delete an account: deactivated, personal data erased, sessions ended',
          security: bearer,
          params: UserIdParams,
          response: { 204: Type.Null(), ...problems(401, 404) },
        },
      },
      async (request, reply) => {
        await deleteUser(deps, actorOf(request), request.params.id)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/admin/users',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Users, newest first: by role, status, sign-up time, or part of the email or name',
          security: bearer,
          querystring: AdminUserQuery,
          response: { 200: pageOf(UserView), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const q = request.query
        const limit = q.limit ?? 20
        const [beforeId] = decodeCursor(q.cursor, ['id']) ?? []
        const rows = await listUsers(deps, actorOf(request), {
          role: q.role,
          status: q.status,
          q: q.q,
          from: q.from && new Date(q.from).toISOString(),
          to: q.to && new Date(q.to).toISOString(),
          beforeId,
          limit,
        })
        const page = toPage(rows, limit, (u) => [u.id])
        return { data: page.items.map(userView), next_cursor: page.nextCursor }
      },
    )

    for (const [verb, to] of [
      ['deactivate', 'deactivated'],
      ['activate', 'active'],
    ] as const) {
      app.post(
        `/admin/users/:id/${verb}`,
        {
          onRequest: app.authenticateAdmin,
          schema: {
            tags: ['admin'],
            summary:
              verb === 'deactivate'
                ? 'Deactivate an account: it cannot sign in, and its tokens stop working on the next request'
                : 'Activate a deactivated account again',
            security: bearer,
            params: UserIdParams,
            response: { 200: UserView, ...problems(401, 403, 404, 409) },
          },
        },
        async (request) => userView(await changeUserStatus(deps, actorOf(request), request.params.id, to)),
      )
    }
  }
}
