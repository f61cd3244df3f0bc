import { Type } from 'typebox'
import type { AuditRecord } from '../../platform/audit.js'
import { PageQuery } from '../../platform/http/pagination.js'
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

export const AuditQuery = Type.Object(
  {
    actor_id: Type.Optional(Type.String({ pattern: '^usr_[0-9a-z]{26}$' })),
    target_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    action: Type.Optional(Type.String({ pattern: '^[a-z_]+\\.[a-z_]+$', maxLength: 60 })),
    ...PageQuery,
  },
  { additionalProperties: false },
)

export const AuditView = Type.Object(
  {
    id: Type.String(),
    actor_id: Type.String(),
    action: Type.String({ examples: ['vendor.approved', 'user.deactivate', 'ledger.adjust'] }),
    target_type: Type.String(),
    target_id: Type.String(),
    before: Type.Unknown({ description: 'State before the action (JSON), or null' }),
    after: Type.Unknown({ description: 'State after the action (JSON), or null' }),
    at: Timestamp,
  },
  { title: 'AuditEntry' },
)

export const auditView = (a: AuditRecord) => ({
  id: a.id,
  actor_id: a.actorId,
  action: a.action,
  target_type: a.targetType,
  target_id: a.targetId,
  before: a.before,
  after: a.after,
  at: a.at,
})
