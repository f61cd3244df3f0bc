import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { JobQueue } from './queue.js'

/**
 * Durations and failures of jobs run in this process (event deliveries and scheduled runs). One
 * registry per process; /metrics of the API merges it, and a worker's figures are exposed by the
 * worker's own /metrics.
 */
export const jobRegistry = new Registry()

const durations = new Histogram({
  name: 'travellr_job_duration_seconds',
  help: 'Duration of jobs run in this process, by kind (event|schedule), name and outcome',
  labelNames: ['kind', 'name', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
  registers: [jobRegistry],
})

const failures = new Counter({
  name: 'travellr_job_failures_total',
  help: 'Failed job attempts in this process, by kind and name',
  labelNames: ['kind', 'name'] as const,
  registers: [jobRegistry],
})

/** Runs a job and records how long it took and whether it failed. */
export async function timedJob<T>(
  kind: 'event' | 'schedule',
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  const end = durations.startTimer({ kind, name })
  try {
    const result = await run()
    end({ outcome: 'ok' })
    return result
  } catch (err) {
    end({ outcome: 'failed' })
    failures.inc({ kind, name })
    throw err
  }
}

/**
 * Gauges read at each scrape: outbox lag (age of the oldest event not yet delivered or relayed), rows
 * waiting, and the queue's depths. A queue that does not answer leaves its gauges unset.
 */
export function registerQueueGauges(
  registry: Registry,
  deps: { queue: JobQueue; backlog(): Promise<{ pending: number; failed: number; lagSeconds: number }> },
): void {
  const lag = new Gauge({
    name: 'travellr_outbox_lag_seconds',
    help: 'Age of the oldest outbox event not yet delivered (in-process) or relayed to the queue',
    registers: [registry],
    async collect() {
      this.set((await deps.backlog()).lagSeconds)
    },
  })
  const pending = new Gauge({
    name: 'travellr_outbox_pending',
    help: 'Outbox events not yet delivered or relayed',
    registers: [registry],
    async collect() {
      this.set((await deps.backlog()).pending)
    },
  })
  const depth = new Gauge({
    name: 'travellr_queue_jobs',
    help: 'Jobs in the queue by state (waiting includes delayed retries)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await deps.queue.counts()
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n)
      } catch {
        this.reset()
      }
    },
  })
  void [lag, pending, depth]
}
