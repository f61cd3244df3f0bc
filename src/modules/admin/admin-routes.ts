import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { JobIdParams, JobList, JobsQuery, jobView, RetriedJob } from './admin-schemas.js'
import { listFailedJobs, retryJob } from './manage-jobs.js'

export type AdminRouteDeps = DepsOf<typeof listFailedJobs>

export function adminRoutes(deps: AdminRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/admin/jobs',
      {
        onRequest: app.authenticate,
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
        onRequest: app.authenticate,
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
  }
}
