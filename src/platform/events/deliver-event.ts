import type { Kysely } from 'kysely'
import type { DB } from '../database/schema.js'
import { inTransaction } from '../database/transaction.js'
import type { DeliveredEvent, HandlerTable } from './events.js'

export class HandlersFailedError extends Error {
  constructor(readonly failures: { handler: string; error: unknown }[]) {
    super(
      failures
        .map((f) => `${f.handler}: ${f.error instanceof Error ? f.error.message : String(f.error)}`)
        .join('; '),
    )
  }
}

/**
 * Runs `work` once for the pair (key, handler): in one transaction that first records the pair in
 * `processed_events`; when it is recorded already (or, on PostgreSQL, a concurrent run records it and
 * commits) `work` does not run. Returns whether it ran.
 */
export async function onceFor(
  db: Kysely<DB>,
  key: string,
  handler: string,
  now: () => Date,
  work: (trx: Kysely<DB>) => Promise<void>,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const claim = await trx
      .insertInto('processed_events')
      .values({ event_id: key, handler, processed_at: now().toISOString() })
      .onConflict((oc) => oc.columns(['event_id', 'handler']).doNothing())
      .executeTakeFirst()
    if (Number(claim.numInsertedOrUpdatedRows ?? 0) === 0) return false
    await work(trx)
    return true
  })
}

/**
 * Runs every handler of an event, each in its own transaction that first records (event, handler) as
 * processed: a handler already recorded is skipped, and on PostgreSQL a concurrent delivery of the same
 * pair waits on that row and then skips, so each handler takes effect once. A failing handler does not
 * stop the others; the call then throws, and the event is delivered again later (the handlers that
 * succeeded skip). Returns the names of the handlers that ran this time.
 */
export async function deliverEvent(
  db: Kysely<DB>,
  handlers: HandlerTable,
  event: DeliveredEvent,
  now: () => Date,
): Promise<string[]> {
  const ran: string[] = []
  const failures: { handler: string; error: unknown }[] = []
  for (const handler of handlers[event.type] ?? []) {
    try {
      if (await onceFor(db, event.id, handler.name, now, (trx) => handler.handle(trx, event)))
        ran.push(handler.name)
    } catch (error) {
      failures.push({ handler: handler.name, error })
    }
  }
  if (failures.length > 0) throw new HandlersFailedError(failures)
  return ran
}
