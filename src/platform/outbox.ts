import type { Insertable, Kysely, QueryCreator } from 'kysely'
import { newId } from '../shared/ids.js'
import { prepared } from './database/prepared.js'
import type { DB, OutboxTable } from './database/schema.js'

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
