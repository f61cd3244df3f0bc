import type { Container } from './container.js'
import { mailMonthlyReport } from './modules/admin/index.js'
import { completeEndedTrips, expireHolds } from './modules/bookings/index.js'
import { notificationHandlers } from './modules/notifications/index.js'
import { reconcilePayments } from './modules/payments/index.js'
import { payoutHandlers, runPayouts } from './modules/payouts/index.js'
import { warmListings } from './modules/trips/index.js'
import type { EventHandler, HandlerTable, Schedule, Work } from './platform/events/events.js'
import { purgeExpiredIdempotencyKeys } from './platform/http/idempotency.js'
import { outboxRepository } from './platform/outbox.js'

const DAY = 86_400_000

/** Handler tables of several modules, merged per event type. */
function merge(...tables: HandlerTable[]): HandlerTable {
  const merged: Record<string, EventHandler[]> = {}
  for (const table of tables)
    for (const [type, handlers] of Object.entries(table))
      merged[type] = [...(merged[type] ?? []), ...handlers!]
  return merged
}

/**
 * What happens after a request, in one table: which handlers each event type reaches, and which jobs
 * run on which schedule (cron, UTC). The same table serves the in-process worker and `travellr worker`.
 */
export function jobsOf(c: Container): Work {
  const schedules: Schedule[] = [
    { name: 'expire-holds', cron: '* * * * *', run: () => expireHolds(c) },
    { name: 'complete-ended-trips', cron: '*/5 * * * *', run: () => completeEndedTrips(c) },
    { name: 'reconcile-payments', cron: '* * * * *', run: () => reconcilePayments(c, { quietSeconds: 60 }) },
    { name: 'warm-listings', cron: '*/10 * * * *', run: () => warmListings(c) },
    { name: 'monthly-report', cron: '0 6 1 * *', run: () => mailMonthlyReport(c) },
    { name: 'payouts-weekly', cron: '0 0 * * 1', run: () => runPayouts(c, { kind: 'weekly' }) },
    { name: 'payouts-monthly', cron: '0 0 1 * *', run: () => runPayouts(c, { kind: 'monthly' }) },
    {
      name: 'purge-idempotency-keys',
      cron: '17 * * * *',
      run: () => purgeExpiredIdempotencyKeys(c.db, c.clock.now()),
    },
    {
      name: 'purge-outbox',
      cron: '23 3 * * *',
      run: async () => {
        const now = c.clock.now().getTime()
        return {
          outbox: await outboxRepository.purgeProcessed(c.db, new Date(now - 7 * DAY)),
          processed: await outboxRepository.purgeProcessedEvents(c.db, new Date(now - 30 * DAY)),
        }
      },
    },
  ]
  return { handlers: merge(payoutHandlers(), notificationHandlers(c)), schedules }
}
