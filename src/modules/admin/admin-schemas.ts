import { Type } from 'typebox'
import { Nullable, Timestamp } from '../../platform/http/schemas.js'
import type { FailedJob } from '../../platform/queue/queue.js'

export const JobsQuery = Type.Object(
  {
    state: Type.Literal('failed', { description: 'Which jobs: those that used up their attempts' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
)

export const JobIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) })

export const JobView = Type.Object(
  {
    id: Type.String({ description: 'The event id for an event delivery; the job id for a scheduled run' }),
    name: Type.String({ description: 'Event type or schedule name' }),
    kind: Type.Union([Type.Literal('event'), Type.Literal('schedule')]),
    attempts: Type.Integer(),
    failed_at: Timestamp,
    error: Nullable(Type.String()),
  },
  { title: 'Job' },
)

export const JobList = Type.Object({ data: Type.Array(JobView) }, { title: 'JobList' })

export const RetriedJob = Type.Object(
  { id: Type.String(), status: Type.Literal('queued') },
  { title: 'RetriedJob' },
)

export const jobView = (j: FailedJob) => ({
  id: j.id,
  name: j.name,
  kind: j.kind,
  attempts: j.attempts,
  failed_at: j.failedAt,
  error: j.error,
})
