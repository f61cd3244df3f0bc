import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { FailedJob, JobQueue } from '../../platform/queue/queue.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { ServiceUnavailableError } from '../../shared/errors.js'
import { AdminRequiredError, JobNotFoundError } from './admin-errors.js'

type Deps = { queue: JobQueue; db: Kysely<DB>; clock: Clock; log?: { warn(obj: object, msg: string): void } }

/** The queue is another service: when it does not answer, the admin gets a 503, not a 500. */
async function asking<T>(deps: Deps, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    deps.log?.warn({ err }, 'queue unavailable')
    throw new ServiceUnavailableError('The job queue is unavailable; try again shortly.')
  }
}

/** Admin: jobs that used up their attempts, newest first. */
export async function listFailedJobs(deps: Deps, actor: Actor, limit: number): Promise<FailedJob[]> {
  if (actor.role !== 'admin') throw new AdminRequiredError()
  return asking(deps, () => deps.queue.failed(limit))
}

/** Admin: runs a failed job again with fresh attempts; its handlers that already took effect skip. */
export async function retryJob(deps: Deps, actor: Actor, id: string): Promise<void> {
  if (actor.role !== 'admin') throw new AdminRequiredError()
  if (!(await asking(deps, () => deps.queue.retry(id)))) throw new JobNotFoundError(id)
  const now = deps.clock.now()
  await inTransaction(deps.db, (trx) =>
    recordAudit(trx, { actorId: actor.userId, action: 'job.retry', targetType: 'job', targetId: id }, now),
  )
}
