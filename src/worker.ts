import type { Container } from './container.js'
import { jobsOf } from './jobs.js'

/**
 * Starts this process's share of the work: delivering events and running the schedules, through the
 * container's queue (in-process from the outbox, or BullMQ workers with REDIS_URL). Resolves once
 * running; `stop` waits for the jobs in hand.
 */
export async function startWorker(c: Container): Promise<{ stop(): Promise<void> }> {
  await c.queue.start(jobsOf(c))
  c.log.info({ queue: c.queue.kind }, 'worker started')
  return { stop: () => c.queue.stop() }
}
