import type { Work } from '../events/events.js'

/** A job that used up its attempts and waits for an admin's retry. */
export interface FailedJob {
  /** The event id for an event's delivery; the job's id for a scheduled run. */
  id: string
  /** The event type, or the schedule's name. */
  name: string
  kind: 'event' | 'schedule'
  attempts: number
  failedAt: string
  error: string | null
}

export interface QueueCounts {
  /** Waiting to run (including those waiting for a retry). */
  waiting: number
  active: number
  failed: number
}

/**
 * How events reach their handlers and schedules run: in this process straight from the outbox (the
 * embedded default), or through BullMQ queues on Redis (workers anywhere). One port, two adapters, one
 * contract suite (test/platform/queue.test.ts); the handlers and schedules are the same for both.
 */
export interface JobQueue {
  readonly kind: 'in-process' | 'bullmq'
  /** Starts delivering and scheduling in this process (a worker); resolves once running. */
  start(work: Work): Promise<void>
  /** Stops taking new work and waits for what is running. */
  stop(): Promise<void>
  failed(limit: number): Promise<FailedJob[]>
  /** Puts a failed job back to run. False when no failed job has that id. */
  retry(id: string): Promise<boolean>
  counts(): Promise<QueueCounts>
  /** Whether the transport answers (always true in-process). */
  ping(): Promise<boolean>
  close(): Promise<void>
}

export interface RetryPolicy {
  /** Attempts of one delivery before it is parked as failed. */
  attempts: number
  /** First retry delay; each next one doubles (capped at an hour). */
  backoffMs: number
}

export function retryDelay(policy: RetryPolicy, attemptsMade: number): number {
  return Math.min(policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1), 3_600_000)
}
