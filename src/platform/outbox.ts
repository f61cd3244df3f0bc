import type { Insertable, Kysely, QueryCreator, Selectable } from 'kysely'
import { newId } from '../shared/ids.js'
import { prepared } from './database/prepared.js'
import type { DB, OutboxTable } from './database/schema.js'
import type { DeliveredEvent } from './events/events.js'

export type EventType =
  | 'user.registered'
  | 'vendor.approved'
  | 'vendor.rejected'
  | 'booking.created'
  | 'booking.confirmed'
  | 'booking.cancelled'
  | 'booking.expired'
  | 'booking.completed'
  | 'payment.succeeded'
  | 'payment.failed'
  | 'payment.refunded'
  | 'vendor.payout'

export interface OutboxEvent {
  type: EventType
  aggregateId: string
  payload: Record<string, unknown>
}

/** The outbox row of an event, for code that writes it itself (e.g. within a larger statement). */
export function outboxRow(event: OutboxEvent, now: Date) {
  const at = now.toISOString()
  return {
    id: newId('evt', now.getTime()),
    type: event.type,
    aggregate_id: event.aggregateId,
    payload: JSON.stringify(event.payload),
    created_at: at,
    available_at: at,
    attempts: 0,
    processed_at: null,
    last_error: null,
  }
}

/**
 * The transactional outbox: an event is a row written by the same transaction as the change it
 * reports, so it exists if and only if the change committed. Delivery reads the table afterwards.
 * The insert is exported as a builder too, so a module can send it inside a larger statement
 * (bookings does on PostgreSQL): one insert, however it is sent.
 */
export function insertEventStatement(qc: QueryCreator<DB>, row: Insertable<OutboxTable>) {
  return qc.insertInto('outbox').values(row)
}

const insertEvent = prepared(
  (db, id: string, type: string, aggregateId: string, payload: string, at: string) =>
    insertEventStatement(db, {
      id,
      type,
      aggregate_id: aggregateId,
      payload,
      created_at: at,
      available_at: at,
      attempts: 0,
      processed_at: null,
      last_error: null,
    }),
)

export async function addEvent(trx: Kysely<DB>, event: OutboxEvent, now: Date): Promise<string> {
  const row = outboxRow(event, now)
  await insertEvent(trx, row.id, row.type, row.aggregate_id, row.payload, row.created_at)
  return row.id
}

export type OutboxRow = Selectable<OutboxTable>

function toEvent(row: OutboxRow): DeliveredEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    aggregateId: row.aggregate_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: new Date(row.created_at).toISOString(),
  }
}

/** An event that kept failing and waits for an admin (in-process delivery). */
export interface FailedEvent {
  id: string
  type: string
  attempts: number
  failedAt: string
  lastError: string | null
}

/**
 * The outbox table seen by its readers: delivery in-process claims and marks rows itself; the relay
 * to a queue marks them published once the queue has them. `processed_at` is set either way when the
 * outbox is done with a row.
 */
export const outboxRepository = {
  /** Rows due for delivery, oldest first; on PostgreSQL optionally locked, skipping rows another relay holds. */
  async due(db: Kysely<DB>, now: Date, limit: number, lock = false): Promise<OutboxRow[]> {
    let query = db
      .selectFrom('outbox')
      .selectAll()
      .where('processed_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('available_at', '<=', now.toISOString())
      .orderBy('available_at')
      .orderBy('id')
      .limit(limit)
    if (lock) query = query.forUpdate().skipLocked()
    return query.execute()
  },

  async findEvent(db: Kysely<DB>, id: string): Promise<DeliveredEvent | undefined> {
    const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toEvent(row)
  },

  toEvent,

  /**
   * Takes a due row for one delivery attempt: moves its availability to the end of a lease, so no other
   * process takes it meanwhile, and counts the attempt. False when another process took it first.
   */
  async claim(db: Kysely<DB>, row: OutboxRow, leaseUntil: Date): Promise<boolean> {
    const result = await db
      .updateTable('outbox')
      .set({ available_at: leaseUntil.toISOString(), attempts: row.attempts + 1 })
      .where('id', '=', row.id)
      .where('processed_at', 'is', null)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  async markProcessed(db: Kysely<DB>, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return
    await db
      .updateTable('outbox')
      .set({ processed_at: now.toISOString(), last_error: null })
      .where('id', 'in', ids)
      .execute()
  },

  /** A failed attempt: try again at `retryAt`, or, with no retry left, park the row as failed. */
  async markAttemptFailed(
    db: Kysely<DB>,
    id: string,
    error: string,
    next: { retryAt: Date } | { failedAt: Date },
  ): Promise<void> {
    await db
      .updateTable('outbox')
      .set(
        'retryAt' in next
          ? { available_at: next.retryAt.toISOString(), last_error: error.slice(0, 2000) }
          : { failed_at: next.failedAt.toISOString(), last_error: error.slice(0, 2000) },
      )
      .where('id', '=', id)
      .execute()
  },

  async failed(db: Kysely<DB>, limit: number): Promise<FailedEvent[]> {
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'type', 'attempts', 'failed_at', 'last_error'])
      .where('failed_at', 'is not', null)
      .orderBy('failed_at', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      attempts: r.attempts,
      failedAt: new Date(r.failed_at!).toISOString(),
      lastError: r.last_error,
    }))
  },

  /** A parked row becomes due again with a fresh count of attempts. False when it is not parked. */
  async retry(db: Kysely<DB>, id: string, now: Date): Promise<boolean> {
    const result = await db
      .updateTable('outbox')
      .set({ failed_at: null, attempts: 0, available_at: now.toISOString() })
      .where('id', '=', id)
      .where('failed_at', 'is not', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  /** How many rows wait, how many are parked, and the age of the oldest waiting one (outbox lag). */
  async backlog(db: Kysely<DB>, now: Date): Promise<{ pending: number; failed: number; lagSeconds: number }> {
    const pending = await db
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('processed_at', 'is', null)
      .where('failed_at', 'is', null)
      .executeTakeFirstOrThrow()
    const failed = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('failed_at', 'is not', null)
      .where('processed_at', 'is', null)
      .executeTakeFirstOrThrow()
    const oldest = pending.oldest ? new Date(pending.oldest as string).getTime() : now.getTime()
    return {
      pending: Number(pending.n),
      failed: Number(failed.n),
      lagSeconds: Math.max(0, (now.getTime() - oldest) / 1000),
    }
  },

  /** Cleanup: rows the outbox is done with, older than `before`. */
  async purgeProcessed(db: Kysely<DB>, before: Date): Promise<number> {
    const result = await db
      .deleteFrom('outbox')
      .where('processed_at', 'is not', null)
      .where('processed_at', '<', before.toISOString())
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  },

  /** Cleanup: processed-event records older than `before` (their events are long delivered). */
  async purgeProcessedEvents(db: Kysely<DB>, before: Date): Promise<number> {
    const result = await db
      .deleteFrom('processed_events')
      .where('processed_at', '<', before.toISOString())
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  },
}
