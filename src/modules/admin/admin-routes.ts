import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import {
  AuditQuery,
  AuditView,
  auditView,
  JobIdParams,
  JobList,
  JobsQuery,
  jobView,
  RetriedJob,
} from './admin-schemas.js'
import { AnalyticsQuery, AnalyticsView, analyticsView } from './analytics-schemas.js'
import { getAnalytics } from './get-analytics.js'
import { listFailedJobs, retryJob } from './manage-jobs.js'
import { readAudit } from './read-audit.js'

export type AdminRouteDeps = DepsOf<typeof listFailedJobs> &
  DepsOf<typeof readAudit> &
  DepsOf<typeof getAnalytics>

export function adminRoutes(deps: AdminRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/admin/jobs',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Jobs (event deliveries, scheduled runs) that used up their attempts',
          security: bearer,
          querystring: JobsQuery,
          response: { 200: JobList, ...problems(400, 401, 403, 503) },
        },
      },
      async (request) => {
        const jobs = await listFailedJobs(deps, actorOf(request), request.query.limit ?? 100)
        return { data: jobs.map(jobView) }
      },
    )

    app.post(
      '/admin/jobs/:id/retry',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Run a failed job again, with fresh attempts (handlers that already took effect skip)',
          security: bearer,
          params: JobIdParams,
          response: { 202: RetriedJob, ...problems(401, 403, 404, 503) },
        },
      },
      async (request, reply) => {
        await retryJob(deps, actorOf(request), request.params.id)
        return reply.status(202).send({ id: request.params.id, status: 'queued' as const })
      },
    )

    app.get(
      '/admin/audit',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Admin actions on record (who, what, when, before → after), newest first',
          security: bearer,
          querystring: AuditQuery,
          response: { 200: pageOf(AuditView), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const q = request.query
        const limit = q.limit ?? 20
        const [beforeId] = decodeCursor(q.cursor, ['id']) ?? []
        const rows = await readAudit(deps, actorOf(request), {
          actorId: q.actor_id,
          targetId: q.target_id,
          action: q.action,
          beforeId,
          limit,
        })
        const page = toPage(rows, limit, (a) => [a.id])
        return { data: page.items.map(auditView), next_cursor: page.nextCursor }
      },
    )

    app.get(
      '/admin/analytics',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary:
            'The business over [from, to), per currency: bookings by status, gross value, captured, refunded, platform revenue, vendor share, payouts, occupancy, cancellation rate, top vendors and trips, a UTC time series',
          security: bearer,
          querystring: AnalyticsQuery,
          response: { 200: AnalyticsView, ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const q = request.query
        return analyticsView(
          await getAnalytics(deps, actorOf(request), {
            from: q.from,
            to: q.to,
            interval: q.interval ?? 'day',
            currency: q.currency,
          }),
        )
      },
    )
  }
}
