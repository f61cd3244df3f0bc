import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { changeResellerStatus } from './change-reseller-status.js'
import { grantAccess, listAccess, revokeAccess } from './grant-access.js'
import { listResellers } from './list-resellers.js'
import { registerReseller } from './register-reseller.js'
import {
  AccessParams,
  AccessView,
  accessView,
  GrantAccessBody,
  GrantedView,
  RegisterResellerBody,
  ResellerIdParams,
  ResellerPageQuery,
  ResellerView,
  resellerView,
  StatementQuery,
  StatementView,
  statementView,
  VendorIdParams,
} from './reseller-schemas.js'
import { resellerStatement } from './reseller-statement.js'

export function resellerRoutes(deps: DepsOf<typeof registerReseller>): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/admin/resellers',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['resellers'],
          summary: 'Register a reseller (admin)',
          security: bearer,
          body: RegisterResellerBody,
          response: { 201: ResellerView, ...problems(400, 401, 403, 422) },
        },
      },
      async (request, reply) => {
        const b = request.body
        const reseller = await registerReseller(deps, actorOf(request), {
          name: b.name,
          contactEmail: b.contact_email,
          maxHeldSeats: b.max_held_seats,
        })
        return reply.status(201).send(resellerView(reseller))
      },
    )

    for (const [verb, to] of [
      ['suspend', 'suspended'],
      ['activate', 'active'],
    ] as const)
      app.post(
        `/admin/resellers/:id/${verb}`,
        {
          onRequest: app.authenticateAdmin,
          schema: {
            tags: ['resellers'],
            summary:
              verb === 'suspend'
                ? 'Suspend a reseller: all its keys are refused from the next request (admin)'
                : 'Let a suspended reseller sell again (admin)',
            security: bearer,
            params: ResellerIdParams,
            response: { 200: ResellerView, ...problems(400, 401, 403, 404, 422) },
          },
        },
        async (request) =>
          resellerView(await changeResellerStatus(deps, actorOf(request), request.params.id, to)),
      )

    app.get(
      '/resellers',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['resellers'],
          summary: 'Resellers a vendor can open its catalogue to (vendors: active ones; admins: all)',
          security: bearer,
          querystring: ResellerPageQuery,
          response: { 200: pageOf(ResellerView), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 20
        const after = decodeCursor(request.query.cursor, ['id'])
        const rows = await listResellers(deps, actorOf(request), { afterId: after?.[0], limit: limit + 1 })
        const page = toPage(rows, limit, (r) => [r.id])
        return { data: page.items.map(resellerView), next_cursor: page.nextCursor }
      },
    )

    app.get(
      '/admin/resellers/statement',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['resellers'],
          summary:
            'What each reseller owes for a month: sales at net price less cancellation credits (admin)',
          security: bearer,
          querystring: StatementQuery,
          response: { 200: StatementView, ...problems(400, 401, 403) },
        },
      },
      async (request) => statementView(await resellerStatement(deps, actorOf(request), request.query.month)),
    )

    app.post(
      '/vendors/:id/resellers',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['resellers'],
          summary:
            "Open the vendor's catalogue to a reseller at a commission; the API key is shown once (owner, admin)",
          security: bearer,
          params: VendorIdParams,
          body: GrantAccessBody,
          response: { 201: GrantedView, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const { access, key } = await grantAccess(deps, actorOf(request), {
          vendorId: request.params.id,
          resellerId: request.body.reseller_id,
          commissionBps: request.body.commission_bps,
        })
        const origin = `${request.protocol}://${request.host}`
        return reply
          .status(201)
          .header('cache-control', 'no-store')
          .send({ access: accessView(access), api_key: key, octo_endpoint: `${origin}/octo` })
      },
    )

    app.get(
      '/vendors/:id/resellers',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['resellers'],
          summary: "Resellers with access to the vendor's catalogue, live and revoked (owner, admin)",
          security: bearer,
          params: VendorIdParams,
          response: { 200: Type.Object({ data: Type.Array(AccessView) }), ...problems(400, 401, 404) },
        },
      },
      async (request) => ({
        data: (await listAccess(deps, actorOf(request), request.params.id)).map(accessView),
      }),
    )

    app.delete(
      '/vendors/:id/resellers/:accessId',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['resellers'],
          summary: "Revoke a reseller's access: its key is refused from the next request (owner, admin)",
          security: bearer,
          params: AccessParams,
          response: { 200: AccessView, ...problems(400, 401, 404) },
        },
      },
      async (request) =>
        accessView(
          await revokeAccess(deps, actorOf(request), {
            vendorId: request.params.id,
            accessId: request.params.accessId,
          }),
        ),
    )
  }
}
