import { Cron } from 'croner'
import type { Kysely } from 'kysely'
import type { DB } from '../database/schema.js'
import { deliverEvent } from '../events/deliver-event.js'
import type { Work } from '../events/events.js'
import type { Logger } from '../logger.js'
import { type EventType, type OutboxRow, outboxRepository } from '../outbox.js'
import { timedJob } from './job-metrics.js'
import { type FailedJob, type JobQueue, type RetryPolicy, retryDelay } from './queue.js'

export interface InProcessDeps {
  db: Kysely<DB>
  clock: { now(): Date }
  log: Logger
  retry: RetryPolicy
  /** How often the outbox is polled when it was empty. */
  pollMs?: number
  /** How long a claimed row stays invisible to other pollers (a crash mid-delivery frees it after this). */
  leaseMs?: number
}

/** Events delivered at once by one poller: handlers wait on I/O (database, mail), so lanes overlap. */
const LANES = 8

/**
 * Delivers outbox events in one batch: claims each due row, runs its handlers, marks it processed, or
 * schedules the next attempt (exponential backoff) and parks it as failed after the last. Events of
 * different aggregates go in up to 8 lanes at once; one aggregate's events stay in order, in one lane.
 * Returns how many rows it took. Exported for tests.
 */
export async function deliverDueEvents(deps: InProcessDeps, work: Work, batch = 50): Promise<number> {
  const now = deps.clock.now()
  const rows = await outboxRepository.due(deps.db, now, batch)
  // Events no handler of this process listens to (booking.created, payment.succeeded) are done as
  // soon as they are seen: one statement for all of them, no claim.
  const heard = (row: OutboxRow) => (work.handlers[row.type as EventType]?.length ?? 0) > 0
  const unheard = rows.filter((row) => !heard(row))
  if (unheard.length > 0)
    await outboxRepository.markProcessed(
      deps.db,
      unheard.map((row) => row.id),
      now,
    )
  const byAggregate = new Map<string, OutboxRow[]>()
  for (const row of rows.filter(heard))
    byAggregate.set(row.aggregate_id, [...(byAggregate.get(row.aggregate_id) ?? []), row])
  const groups = [...byAggregate.values()]
  let taken = unheard.length
  const lane = async () => {
    for (let group = groups.shift(); group; group = groups.shift())
      for (const row of group) if (await deliverRow(deps, work, row, now)) taken++
  }
  await Promise.all(Array.from({ length: Math.min(LANES, groups.length) }, lane))
  return taken
}

async function deliverRow(deps: InProcessDeps, work: Work, row: OutboxRow, now: Date): Promise<boolean> {
  const leaseUntil = new Date(now.getTime() + (deps.leaseMs ?? 60_000))
  if (!(await outboxRepository.claim(deps.db, row, leaseUntil))) return false
  const event = outboxRepository.toEvent(row)
  try {
    await timedJob('event', event.type, () =>
      deliverEvent(deps.db, work.handlers, event, () => deps.clock.now()),
    )
    await outboxRepository.markProcessed(deps.db, [row.id], deps.clock.now())
  } catch (err) {
    const attempts = row.attempts + 1
    const message = err instanceof Error ? err.message : String(err)
    const at = deps.clock.now()
    deps.log.warn({ err, event: row.id, type: row.type, attempts }, 'event delivery failed')
    await outboxRepository.markAttemptFailed(
      deps.db,
      row.id,
      message,
      attempts >= deps.retry.attempts
        ? { failedAt: at }
        : { retryAt: new Date(at.getTime() + retryDelay(deps.retry, attempts)) },
    )
  }
  return true
}

/** The embedded default: the outbox drained by a poller in this process, schedules by croner. */
export function createInProcessQueue(deps: InProcessDeps): JobQueue {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<unknown> = Promise.resolve()
  let crons: Cron[] = []
  let stopped = true

  const loop = (work: Work) => {
    if (stopped) return
    running = deliverDueEvents(deps, work)
      .catch((err) => {
        deps.log.error({ err }, 'outbox poll failed')
        return 0
      })
      .then((taken) => {
        if (!stopped) timer = setTimeout(() => loop(work), taken > 0 ? 0 : (deps.pollMs ?? 500))
      })
  }

  const queue = {
    kind: 'in-process' as const,
    async start(work: Work) {
      stopped = false
      loop(work)
      crons = work.schedules.map(
        (s) =>
          new Cron(s.cron, { timezone: 'UTC', protect: true, name: s.name }, async () => {
            try {
              await timedJob('schedule', s.name, () => s.run())
            } catch (err) {
              // The next tick runs it again; every schedule is safe to repeat.
              deps.log.error({ err, schedule: s.name }, 'scheduled job failed')
            }
          }),
      )
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      for (const c of crons) c.stop()
      crons = []
      await running
    },
    async failed(limit: number): Promise<FailedJob[]> {
      return (await outboxRepository.failed(deps.db, limit)).map((f) => ({
        id: f.id,
        name: f.type,
        kind: 'event' as const,
        attempts: f.attempts,
        failedAt: f.failedAt,
        error: f.lastError,
      }))
    },
    retry: (id: string) => outboxRepository.retry(deps.db, id, deps.clock.now()),
    async counts() {
      const b = await outboxRepository.backlog(deps.db, deps.clock.now())
      return { waiting: b.pending, active: 0, failed: b.failed }
    },
    ping: async () => true,
    close: () => queue.stop(),
  }
  return queue
}
