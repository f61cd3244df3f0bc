import type { Kysely } from 'kysely'
import type { DB } from '../database/schema.js'
import type { EventType } from '../outbox.js'

/** An outbox event as a handler receives it. */
export interface DeliveredEvent {
  id: string
  type: EventType
  aggregateId: string
  payload: Record<string, unknown>
  createdAt: string
}

/**
 * Something that happens because of an event. `handle` runs inside the transaction that also records
 * the (event, handler) pair as processed, so its database effect happens once however often the event
 * is delivered. An effect outside the database (a mail, a provider call) must carry a key derived from
 * the event id, so that the rare repeat (a crash after the effect, before the commit) is recognisable.
 */
export interface EventHandler {
  /** Stable name: part of the processed record and of the effect's key. Never rename a live one. */
  readonly name: string
  handle(trx: Kysely<DB>, event: DeliveredEvent): Promise<void>
}

export type HandlerTable = Partial<Record<EventType, readonly EventHandler[]>>

/** A job run on a cron schedule (UTC), once per tick per cluster. */
export interface Schedule {
  readonly name: string
  /** Five-field cron expression, UTC. */
  readonly cron: string
  run(): Promise<unknown>
}

/** What a worker does: deliver events to their handlers, and run the schedules. */
export interface Work {
  handlers: HandlerTable
  schedules: readonly Schedule[]
}
