import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Job, Queue as QueueClass, Worker as WorkerClass } from 'bullmq'
import type { Redis as RedisClient } from 'ioredis'
import type { Kysely } from 'kysely'
import type { DB } from '../database/schema.js'
import { inTransaction } from '../database/transaction.js'
import { deliverEvent } from '../events/deliver-event.js'
import type { Schedule, Work } from '../events/events.js'
import type { Logger } from '../logger.js'
import { outboxRepository } from '../outbox.js'
import { timedJob } from './job-metrics.js'
import type { FailedJob, JobQueue, QueueCounts, RetryPolicy } from './queue.js'

export interface BullmqDeps {
  db: Kysely<DB>
  dialect: 'sqlite' | 'postgres'
  clock: { now(): Date }
  log: Logger
  retry: RetryPolicy
  redisUrl: string
  /** Key prefix (the deployment's Redis prefix): queues of several deployments never meet. */
  prefix: string
  /** Event deliveries run at once per worker. */
  concurrency?: number
  /** Outbox rows relayed per batch. */
  relayBatch?: number
}

/** A Redis call that does not answer in time fails, rather than waiting for Redis to come back. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  const ac = new AbortController()
  try {
    return await Promise.race([
      work,
      sleep(ms, undefined, { signal: ac.signal }).then(() => {
        throw new Error(`${what}: Redis did not answer within ${ms} ms`)
      }),
    ])
  } finally {
    ac.abort()
  }
}

const REDIS_TIMEOUT_MS = 5000

/**
 * With REDIS_URL: outbox rows are relayed to a BullMQ queue (job id = event id, so relaying a row
 * twice adds one job) and marked published only once the queue holds them; several relays at once
 * skip each other's rows (FOR UPDATE SKIP LOCKED on PostgreSQL). Workers deliver each job to the
 * event's handlers, retrying with exponential backoff; a job out of attempts stays in the failed set.
 * Schedules are BullMQ job schedulers: however many workers upsert them, each tick makes one job.
 */
export function createBullmqQueue(deps: BullmqDeps): JobQueue & { relayOnce(): Promise<number> } {
  // Loaded here, not at import: the embedded default (no REDIS_URL) never carries BullMQ.
  const load = createRequire(import.meta.url)
  const { Queue, Worker } = load('bullmq') as { Queue: typeof QueueClass; Worker: typeof WorkerClass }
  const { Redis } = load('ioredis') as { Redis: typeof RedisClient }
  const connection = new Redis(deps.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true })
  connection.on('error', (err) => deps.log.debug({ err }, 'queue connection error'))
  const prefix = `${deps.prefix}bull`
  const events = new Queue('events', { connection, prefix })
  const schedules = new Queue('schedules', { connection, prefix })
  events.on('error', (err) => deps.log.debug({ err }, 'events queue error'))
  schedules.on('error', (err) => deps.log.debug({ err }, 'schedules queue error'))
  let workers: WorkerClass[] = []
  let relaying: Promise<void> | undefined
  let stopped = true

  const jobOptions = (id: string) => ({
    jobId: id,
    attempts: deps.retry.attempts,
    backoff: { type: 'exponential' as const, delay: deps.retry.backoffMs },
    // Completed jobs are kept a day, so a row relayed again within it is recognised by its id.
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: false,
  })

  async function relayOnce(): Promise<number> {
    return inTransaction(deps.db, async (trx) => {
      const now = deps.clock.now()
      const rows = await outboxRepository.due(trx, now, deps.relayBatch ?? 200, deps.dialect === 'postgres')
      if (rows.length === 0) return 0
      await within(
        REDIS_TIMEOUT_MS,
        'relay',
        events.addBulk(rows.map((r) => ({ name: r.type, data: { id: r.id }, opts: jobOptions(r.id) }))),
      )
      await outboxRepository.markProcessed(
        trx,
        rows.map((r) => r.id),
        now,
      )
      return rows.length
    })
  }

  async function relayLoop(): Promise<void> {
    let pause = 0
    while (!stopped) {
      try {
        const n = await relayOnce()
        pause = n >= (deps.relayBatch ?? 200) ? 0 : 200
      } catch (err) {
        // Redis or the database is away: rows stay in the outbox until the next try.
        deps.log.warn({ err }, 'outbox relay failed; retrying')
        pause = Math.min(Math.max(pause * 2, 500), 5000)
      }
      if (pause > 0 && !stopped) await sleep(pause)
    }
  }

  async function deliver(work: Work, job: Job): Promise<void> {
    const event = await outboxRepository.findEvent(deps.db, (job.data as { id: string }).id)
    // A row purged after delivery long ago: nothing left to do.
    if (!event) return
    await timedJob('event', event.type, () =>
      deliverEvent(deps.db, work.handlers, event, () => deps.clock.now()),
    )
  }

  async function runSchedule(byName: Map<string, Schedule>, job: Job): Promise<void> {
    const schedule = byName.get(job.name)
    if (!schedule) return
    await timedJob('schedule', schedule.name, () => schedule.run())
  }

  /**
   * Several workers starting at once upsert the same schedulers; BullMQ lets one of them create a
   * tick's job and refuses the others ("job ID already exists"): that refusal means it is done.
   */
  async function upsertSchedule(s: Schedule): Promise<void> {
    try {
      await schedules.upsertJobScheduler(
        s.name,
        { pattern: s.cron, tz: 'UTC' },
        {
          name: s.name,
          opts: {
            attempts: 3,
            backoff: { type: 'exponential', delay: deps.retry.backoffMs },
            removeOnComplete: { count: 1000 },
            removeOnFail: { count: 1000 },
          },
        },
      )
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('already exists'))) throw err
    }
  }

  async function failedOf(queue: QueueClass, kind: FailedJob['kind'], limit: number): Promise<FailedJob[]> {
    const jobs = await within(REDIS_TIMEOUT_MS, 'failed jobs', queue.getFailed(0, limit - 1))
    return jobs
      .filter((j): j is NonNullable<typeof j> => Boolean(j?.id))
      .map((j) => ({
        id: j.id!,
        name: j.name,
        kind,
        attempts: j.attemptsMade,
        failedAt: new Date(j.finishedOn ?? j.timestamp).toISOString(),
        error: j.failedReason ?? null,
      }))
  }

  return {
    kind: 'bullmq',
    relayOnce,
    async start(work) {
      stopped = false
      await connection.connect().catch(() => undefined)
      const byName = new Map(work.schedules.map((s) => [s.name, s]))
      // A worker killed mid-job holds its lock for at most lockDuration; the job then goes back to
      // waiting (within stalledInterval) and another worker takes it. A job stalled by several crashes in
      // a row still runs: its handlers skip what already took effect.
      const options = {
        connection,
        prefix,
        autorun: true,
        lockDuration: 10_000,
        stalledInterval: 5_000,
        maxStalledCount: 20,
      }
      workers = [
        new Worker('events', (job) => deliver(work, job), { ...options, concurrency: deps.concurrency ?? 8 }),
        new Worker('schedules', (job) => runSchedule(byName, job), { ...options, concurrency: 2 }),
      ]
      for (const w of workers) {
        w.on('error', (err) => deps.log.warn({ err }, 'queue worker error'))
        w.on('failed', (job, err) =>
          deps.log.warn({ err, job: job?.id, name: job?.name, attempts: job?.attemptsMade }, 'job failed'),
        )
      }
      for (const s of work.schedules) {
        await upsertSchedule(s)
      }
      relaying = relayLoop()
    },
    async stop() {
      stopped = true
      await Promise.all(workers.map((w) => w.close()))
      workers = []
      await relaying
    },
    async failed(limit) {
      const [e, s] = await Promise.all([
        failedOf(events, 'event', limit),
        failedOf(schedules, 'schedule', limit),
      ])
      return [...e, ...s].sort((a, b) => b.failedAt.localeCompare(a.failedAt)).slice(0, limit)
    },
    async retry(id) {
      for (const queue of [events, schedules]) {
        const job = await within(REDIS_TIMEOUT_MS, 'retry', queue.getJob(id))
        if (job && (await job.isFailed())) {
          await job.retry('failed', { resetAttemptsMade: true })
          return true
        }
      }
      return false
    },
    async counts(): Promise<QueueCounts> {
      const [e, s] = await within(
        REDIS_TIMEOUT_MS,
        'queue counts',
        Promise.all([
          events.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'failed'),
          // A scheduler always holds its next run as a delayed job: that is not a backlog.
          schedules.getJobCounts('waiting', 'prioritized', 'active', 'failed'),
        ]),
      )
      const n = (c: Record<string, number>, k: string) => c[k] ?? 0
      return {
        waiting:
          n(e, 'waiting') + n(e, 'delayed') + n(e, 'prioritized') + n(s, 'waiting') + n(s, 'prioritized'),
        active: n(e, 'active') + n(s, 'active'),
        failed: n(e, 'failed') + n(s, 'failed'),
      }
    },
    async ping() {
      try {
        if (connection.status === 'wait') await connection.connect()
        return (await within(1000, 'ping', connection.ping())) === 'PONG'
      } catch {
        return false
      }
    },
    async close() {
      await this.stop()
      await Promise.all([events.close(), schedules.close()])
      connection.disconnect()
    },
  }
}
