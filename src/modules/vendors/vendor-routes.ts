import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import { bearer, type DepsOf, noStore, problems } from '../../platform/http/schemas.js'
import { LoginBody, logIn, SignedInView, signedInView } from '../auth/index.js'
import { changeVendorStatus } from './change-vendor-status.js'
import { getVendor } from './get-vendor.js'
import { listVendors } from './list-vendors.js'
import { registerVendor } from './register-vendor.js'
import { updateVendor } from './update-vendor.js'
import { vendorRepository } from './vendor-repository.js'
import {
  ReasonBody,
  RegisterVendorBody,
  UpdateVendorBody,
  VendorIdParams,
  VendorListQuery,
  VendorView,
  vendorView,
} from './vendor-schemas.js'

export type VendorRouteDeps = DepsOf<typeof registerVendor> &
  DepsOf<typeof logIn> &
  DepsOf<typeof changeVendorStatus>

export function vendorRoutes(deps: VendorRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/vendors/register',
      {
        schema: {
          tags: ['vendors'],
          summary: 'Sign up as a vendor (pending until an admin approves)',
          body: RegisterVendorBody,
          response: { 201: VendorView, ...problems(400, 409, 422, 429) },
        },
      },
      async (request, reply) => {
        const b = request.body
        const { vendor } = await registerVendor(deps, {
          email: b.email,
          password: b.password,
          name: b.name,
          phone: b.phone,
          businessName: b.business_name,
          payoutAccount: b.payout_account,
          ip: request.ip,
        })
        return reply.status(201).send(vendorView(vendor, 'full'))
      },
    )

    app.post(
      '/vendors/login',
      {
        onRequest: noStore,
        schema: {
          tags: ['vendors'],
          summary: 'Sign in to a vendor account (as /auth/login, vendor accounts only)',
          body: LoginBody,
          response: { 200: SignedInView, ...problems(400, 401, 429) },
        },
      },
      async (request) => {
        const signedIn = await logIn(
          deps,
          { ...request.body, ip: request.ip },
          async (user) => (await vendorRepository.findByUserId(deps.db, user.id)) !== undefined,
        )
        return signedInView(signedIn)
      },
    )

    app.get(
      '/vendors/:id',
      {
        onRequest: app.authenticateOptional,
        schema: {
          tags: ['vendors'],
          summary: 'A vendor: public fields for anyone, all fields for the owner and admins',
          params: VendorIdParams,
          response: { 200: VendorView, ...problems(401, 404) },
        },
      },
      async (request) => {
        const { vendor, view } = await getVendor(deps, request.actor, request.params.id)
        return vendorView(vendor, view)
      },
    )

    app.put(
      '/vendors/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['vendors'],
          summary: 'Change a vendor profile (owner, admin); status and commission are not changeable here',
          security: bearer,
          params: VendorIdParams,
          body: UpdateVendorBody,
          response: { 200: VendorView, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const b = request.body
        const vendor = await updateVendor(deps, actorOf(request), request.params.id, {
          businessName: b.business_name,
          phone: b.phone,
          payoutAccount: b.payout_account,
          payoutSchedule: b.payout_schedule,
        })
        return vendorView(vendor, 'full')
      },
    )

    app.get(
      '/admin/vendors',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Vendors, filterable by status (admin)',
          security: bearer,
          querystring: VendorListQuery,
          response: { 200: pageOf(VendorView), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 20
        const [afterId] = (decodeCursor(request.query.cursor, ['id']) ?? []) as string[]
        const rows = await listVendors(deps, actorOf(request), {
          status: request.query.status,
          q: request.query.q,
          afterId,
          limit,
        })
        const page = toPage(rows, limit, (v) => [v.id])
        return { data: page.items.map((v) => vendorView(v, 'full')), next_cursor: page.nextCursor }
      },
    )

    const decisions = [
      ['approve', 'approved', 'Approve a pending (or reinstate a suspended) vendor; the vendor is notified'],
      ['reject', 'rejected', 'Reject a pending vendor with a reason; the vendor is notified'],
      ['suspend', 'suspended', 'Suspend an approved vendor with a reason'],
    ] as const
    for (const [verb, status, summary] of decisions) {
      app.post(
        `/admin/vendors/:id/${verb}`,
        {
          onRequest: app.authenticateAdmin,
          schema: {
            tags: ['admin'],
            summary,
            security: bearer,
            params: VendorIdParams,
            ...(verb === 'approve' ? {} : { body: ReasonBody }),
            response: { 200: VendorView, ...problems(400, 401, 403, 404, 409) },
          },
        },
        async (request) => {
          const reason = (request.body as { reason?: string } | undefined)?.reason ?? null
          const vendor = await changeVendorStatus(deps, actorOf(request), request.params.id, status, reason)
          return vendorView(vendor, 'full')
        },
      )
    }
  }
}
