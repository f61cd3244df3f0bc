import type { Kysely } from 'kysely'
import { newId } from '../shared/ids.js'
import type { DB } from './database/schema.js'

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

/**
 * The transactional outbox: an event is a row written by the same transaction as the change it
 * reports, so it exists if and only if the change committed. Delivery reads the table afterwards.
 */
export async function addEvent(trx: Kysely<DB>, event: OutboxEvent, now: Date): Promise<string> {
  const id = newId('evt', now.getTime())
  const at = now.toISOString()
  await trx
    .insertInto('outbox')
    .values({
      id,
      type: event.type,
      aggregate_id: event.aggregateId,
      payload: JSON.stringify(event.payload),
      created_at: at,
      available_at: at,
      attempts: 0,
      processed_at: null,
      last_error: null,
    })
    .execute()
  return id
}
