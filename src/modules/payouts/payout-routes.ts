import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { VendorNotFoundError } from '../vendors/index.js'
import {
  AdjustmentBody,
  EarningsView,
  EntryView,
  earningsView,
  entryView,
  outcomeView,
  PayoutList,
  PayoutRunView,
  payoutView,
  RunPayoutBody,
  VendorIdParams,
} from './payout-schemas.js'
import { recordAdminRun, runPayouts } from './run-payouts.js'
import { adjustLedger, vendorEarnings, vendorPayouts } from './vendor-earnings.js'

export type PayoutRouteDeps = DepsOf<typeof runPayouts> & DepsOf<typeof vendorEarnings>

export function payoutRoutes(deps: PayoutRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/vendors/:id/earnings',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payouts'],
          summary:
            'A vendor’s earnings per currency: pending, available, carried, in transit, paid out; 1099 flags',
          security: bearer,
          params: VendorIdParams,
          response: { 200: EarningsView, ...problems(401, 404) },
        },
      },
      async (request) =>
        earningsView(request.params.id, await vendorEarnings(deps, actorOf(request), request.params.id)),
    )

    app.get(
      '/vendors/:id/payouts',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payouts'],
          summary: 'A vendor’s payouts, newest first, with the ledger entries each covered',
          security: bearer,
          params: VendorIdParams,
          response: { 200: PayoutList, ...problems(401, 404) },
        },
      },
      async (request) => ({
        data: (await vendorPayouts(deps, actorOf(request), request.params.id)).map(payoutView),
      }),
    )

    app.post(
      '/vendors/:id/payout',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payouts', 'admin'],
          summary:
            'Admin: run this vendor’s payout for the last closed period now (same rules as the schedule)',
          security: bearer,
          params: VendorIdParams,
          body: RunPayoutBody,
          response: { 200: PayoutRunView, ...problems(400, 401, 404) },
        },
      },
      async (request) => {
        const actor = actorOf(request)
        if (actor.role !== 'admin') throw new VendorNotFoundError(request.params.id)
        const run = await runPayouts(deps, { kind: request.body.period, vendorId: request.params.id })
        await recordAdminRun(deps, actor, request.params.id, run)
        return { period: run.period.name, outcomes: run.outcomes.map(outcomeView) }
      },
    )

    app.post(
      '/vendors/:id/ledger-adjustments',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payouts', 'admin'],
          summary: 'Admin: a manual entry in a vendor’s ledger, with a reason (kept with who made it)',
          security: bearer,
          params: VendorIdParams,
          body: AdjustmentBody,
          response: { 201: EntryView, ...problems(400, 401, 404) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(entryView(await adjustLedger(deps, actorOf(request), request.params.id, request.body))),
    )
  }
}
