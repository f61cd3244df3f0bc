import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { onceFor } from '../../platform/events/deliver-event.js'
import type { Mailer } from '../../platform/mailer/mailer.js'
import type { Clock } from '../../shared/clock.js'
import { commissionOn } from '../bookings/index.js'
import { mailLanguage, type ReportFacts, renderMail } from '../notifications/index.js'
import { statementOf } from '../resellers/index.js'
import { reportRepository } from './report-repository.js'

/** `YYYY-MM` of the calendar month (UTC) before the one `now` falls in: the last closed month. */
export function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  return d.toISOString().slice(0, 7)
}

export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number]
  return {
    from: new Date(Date.UTC(y, m - 1, 1)).toISOString(),
    to: new Date(Date.UTC(y, m, 1)).toISOString(),
  }
}

/**
 * The figures of one calendar month (UTC): accounts and bookings by what happened to them, and per
 * currency the money captured, refunded, and its split (commission per booking on what was kept,
 * rounded half-even; the vendors' share is the rest, so the two add up to the cent).
 */
export async function compileMonthlyReport(deps: { db: Kysely<DB> }, month: string): Promise<ReportFacts> {
  const { from, to } = monthBounds(month)
  const counts = await reportRepository.counts(deps.db, from, to)
  const byCurrency = new Map<string, ReportFacts['money'][number]>()
  for (const b of await reportRepository.money(deps.db, from, to)) {
    const m = byCurrency.get(b.currency) ?? {
      currency: b.currency,
      captured: 0,
      refunded: 0,
      commission: 0,
      vendorShare: 0,
    }
    const kept = b.captured - b.refunded
    const commission = commissionOn(kept, b.commissionBps)
    m.captured += b.captured
    m.refunded += b.refunded
    m.commission += commission
    m.vendorShare += kept - commission
    byCurrency.set(b.currency, m)
  }
  const statement = await statementOf(deps, from, to)
  return {
    month,
    ...counts,
    money: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    resellers: statement.map((l) => ({ name: l.resellerName, currency: l.currency, due: l.due })),
  }
}

/**
 * Scheduled on the 1st: mails last month's report to every admin, once per admin and month (a
 * processed record `report:{month}` / `mail.monthly-report:{admin}` guards it), so a rerun or a second
 * worker sends nothing new. Returns how many mails went out now.
 */
export async function mailMonthlyReport(
  deps: { db: Kysely<DB>; mailer: Mailer; clock: Clock },
  month = previousMonth(deps.clock.now()),
): Promise<{ month: string; sent: number }> {
  const report = await compileMonthlyReport(deps, month)
  let sent = 0
  for (const admin of await reportRepository.admins(deps.db)) {
    const handler = `mail.monthly-report:${admin.id}`
    const ran = await onceFor(
      deps.db,
      `report:${month}`,
      handler,
      () => deps.clock.now(),
      async () => {
        const language = mailLanguage(admin.language)
        await deps.mailer.send({
          to: admin.email!,
          ...renderMail({ template: 'monthly_report', name: admin.name, report }, language),
          messageId: `report-${month}.${admin.id}@travellr`,
          language,
        })
      },
    )
    if (ran) sent++
  }
  return { month, sent }
}
