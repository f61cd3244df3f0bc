import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Logger } from '../../platform/logger.js'
import { addEvent } from '../../platform/outbox.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { minorUnits } from '../../shared/money.js'
import { GatewayRejectedError, type PaymentGateway } from '../payments/index.js'
import { type LedgerEntry, ledgerRepository, type Payout } from './ledger-repository.js'
import {
  closedPeriod,
  type PayoutSchedule,
  type Period,
  payoutDecision,
  TAX_FORM_THRESHOLD_USD,
} from './payout.js'
import { salesRepository } from './sales-repository.js'

export interface PayoutDeps {
  db: Kysely<DB>
  clock: Clock
  gateway: PaymentGateway
  log?: Pick<Logger, 'warn' | 'info'>
  /** PAYOUT_MINIMUM, in each currency's major unit (e.g. "50.00"). */
  payoutMinimum: string
}

export type PayoutOutcome =
  | {
      vendorId: string
      currency: string
      period: string
      result: 'paid' | 'in_flight' | 'failed'
      payout: Payout
    }
  | { vendorId: string; currency: string; period: string; result: 'carried'; amount: number; reason: string }
  | { vendorId: string; currency: string; period: string; result: 'done_before'; payout: Payout }

/** The least balance paid, in minor units of `currency`. */
export function minimumIn(minimum: string, currency: string): number {
  return Math.round(Number(minimum) * 10 ** minorUnits(currency))
}

const payoutKey = (p: Pick<Payout, 'vendorId' | 'currency' | 'period'>) =>
  `payout:${p.vendorId}:${p.currency}:${p.period}`

/**
 * Sends a decided payout's transfer (our key `payout:{vendor}:{currency}:{period}`, so sending it again
 * after a crash or timeout moves the money once) and records what the provider said: paid, with the
 * `vendor.payout` event and the 1099 check, or failed, with the covered entries released for the next
 * run. A provider that does not answer leaves it processing for the next run to ask again.
 */
export async function sendPayout(deps: PayoutDeps, payout: Payout): Promise<Payout> {
  let outcome: { status: 'paid'; providerId: string } | { status: 'failed'; reason: string }
  try {
    const transfer = await deps.gateway.transfer({
      key: payoutKey(payout),
      amount: payout.amount,
      currency: payout.currency,
      destination: payout.destination ?? '',
    })
    outcome = { status: 'paid', providerId: transfer.id }
  } catch (err) {
    if (!(err instanceof GatewayRejectedError)) {
      deps.log?.warn({ err, payout: payout.id }, 'payout transfer not answered; the next run asks again')
      return payout
    }
    outcome = { status: 'failed', reason: err.message }
  }
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const current = await ledgerRepository.lockPayout(trx, payout.id)
    if (current?.status !== 'processing') return current ?? payout
    if (outcome.status === 'paid') {
      await ledgerRepository.settle(trx, payout.id, { status: 'paid', providerId: outcome.providerId }, now)
      await addEvent(
        trx,
        {
          type: 'vendor.payout',
          aggregateId: payout.vendorId,
          payload: {
            payout_id: payout.id,
            vendor_id: payout.vendorId,
            amount: payout.amount,
            currency: payout.currency,
            period: payout.period,
          },
        },
        now,
      )
      await flagTaxFormIfDue(trx, payout.vendorId, now)
      return {
        ...current,
        status: 'paid' as const,
        providerId: outcome.providerId,
        paidAt: now.toISOString(),
      }
    }
    await ledgerRepository.settle(trx, payout.id, { status: 'failed', reason: outcome.reason }, now)
    await ledgerRepository.release(trx, payout.id)
    await ledgerRepository.append(
      trx,
      {
        vendorId: payout.vendorId,
        currency: payout.currency,
        amount: payout.amount,
        kind: 'payout_reversal',
        bookingId: null,
        sourceId: payout.id,
        payoutId: payout.id,
        reason: outcome.reason,
        createdBy: null,
      },
      now,
    )
    return { ...current, status: 'failed' as const, reason: outcome.reason }
  })
}

/** A vendor paid more than 20,000.00 USD in a calendar year is flagged for a 1099 form, once a year. */
async function flagTaxFormIfDue(trx: Kysely<DB>, vendorId: string, now: Date): Promise<void> {
  const year = now.getUTCFullYear()
  const paid = await ledgerRepository.paidBetween(
    trx,
    vendorId,
    'USD',
    new Date(Date.UTC(year, 0, 1)).toISOString(),
    new Date(Date.UTC(year + 1, 0, 1)).toISOString(),
  )
  if (paid > TAX_FORM_THRESHOLD_USD) await ledgerRepository.flagTaxForm(trx, vendorId, year, paid, now)
}

/**
 * Decides one vendor's payout in one currency for a closed period, in one transaction: the entries no
 * payout covers up to the period's end (locked on PostgreSQL), their balance, and either a payout that
 * covers them (with its negative entry) or a carried record saying why. The (vendor, currency, period)
 * row is unique in the database, so a second run — another worker, a rerun — finds it and does nothing.
 */
async function decide(
  deps: PayoutDeps,
  vendor: { id: string; payout_account: string | null },
  currency: string,
  period: Period,
  dryRun: boolean,
): Promise<PayoutOutcome | undefined> {
  const now = deps.clock.now()
  const at = now.toISOString()
  const run = async (trx: Kysely<DB>): Promise<PayoutOutcome | undefined> => {
    const before = await ledgerRepository.findPayout(trx, vendor.id, currency, period.name)
    const common = { vendorId: vendor.id, currency, period: period.name }
    if (before) return { ...common, result: 'done_before', payout: before }
    const entries: LedgerEntry[] = await ledgerRepository.unclaimed(trx, vendor.id, currency, period.end)
    if (entries.length === 0) return undefined
    const balance = entries.reduce((s, e) => s + e.amount, 0)
    const decision = payoutDecision(
      balance,
      minimumIn(deps.payoutMinimum, currency),
      Boolean(vendor.payout_account),
    )
    const payout: Payout = {
      id: newId('pyo', now.getTime()),
      vendorId: vendor.id,
      currency,
      period: period.name,
      periodStart: period.start,
      periodEnd: period.end,
      amount: balance,
      status: decision.pay ? 'processing' : 'carried',
      reason: decision.pay ? null : decision.reason,
      destination: vendor.payout_account,
      providerId: null,
      createdAt: at,
      updatedAt: at,
      paidAt: null,
    }
    if (dryRun)
      return decision.pay
        ? { ...common, result: 'in_flight', payout }
        : { ...common, result: 'carried', amount: balance, reason: decision.reason }
    if (!(await ledgerRepository.insertPayout(trx, payout))) {
      const won = await ledgerRepository.findPayout(trx, vendor.id, currency, period.name)
      return won && { ...common, result: 'done_before', payout: won }
    }
    if (!decision.pay) return { ...common, result: 'carried', amount: balance, reason: decision.reason }
    await ledgerRepository.claim(
      trx,
      entries.map((e) => e.id),
      payout.id,
    )
    await ledgerRepository.append(
      trx,
      {
        vendorId: vendor.id,
        currency,
        amount: -balance,
        kind: 'payout',
        bookingId: null,
        sourceId: payout.id,
        payoutId: payout.id,
        reason: null,
        createdBy: null,
      },
      now,
    )
    return { ...common, result: 'in_flight', payout }
  }
  return inTransaction(deps.db, run)
}

/** An admin's payout run on record: which vendor, which period, what came of it. */
export async function recordAdminRun(
  deps: Pick<PayoutDeps, 'db' | 'clock'>,
  actor: Actor,
  vendorId: string,
  run: PayoutRun,
): Promise<void> {
  const now = deps.clock.now()
  await inTransaction(deps.db, (trx) =>
    recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: 'payout.run',
        targetType: 'vendor',
        targetId: vendorId,
        after: {
          period: run.period.name,
          outcomes: run.outcomes.map((o) => ({
            currency: o.currency,
            result: o.result,
            amount: o.result === 'carried' ? o.amount : o.payout.amount,
          })),
        },
      },
      now,
    ),
  )
}

export interface PayoutRun {
  period: Period
  dryRun: boolean
  outcomes: PayoutOutcome[]
}

/**
 * A payout run for the last closed period of `kind` at `at` (default now): first the transfers an
 * earlier run left unanswered, then each approved vendor on that schedule (or the one vendor named),
 * currency by currency. Safe to run twice and on several workers at once.
 */
export async function runPayouts(
  deps: PayoutDeps,
  options: {
    kind: PayoutSchedule
    at?: Date
    dryRun?: boolean
    vendorId?: string
    onProgress?: (done: number, total: number) => void
  },
): Promise<PayoutRun> {
  const period = closedPeriod(options.kind, options.at ?? deps.clock.now())
  const dryRun = options.dryRun ?? false
  const outcomes: PayoutOutcome[] = []
  if (!dryRun)
    for (const stuck of await ledgerRepository.processing(deps.db, options.vendorId))
      await sendPayout(deps, stuck)
  const vendors = options.vendorId
    ? [await salesRepository.vendor(deps.db, options.vendorId)]
        .filter((v) => v?.status === 'approved')
        .map((v) => v!)
    : await salesRepository.approvedVendors(deps.db, options.kind)
  for (const [i, vendor] of vendors.entries()) {
    for (const currency of await ledgerRepository.openCurrencies(deps.db, vendor.id, period.end)) {
      const decided = await decide(deps, vendor, currency, period, dryRun)
      if (!decided) continue
      if (decided.result === 'in_flight' && !dryRun) {
        const sent = await sendPayout(deps, decided.payout)
        const result = sent.status === 'paid' ? 'paid' : sent.status === 'failed' ? 'failed' : 'in_flight'
        outcomes.push({ ...decided, result, payout: sent })
      } else outcomes.push(decided)
    }
    options.onProgress?.(i + 1, vendors.length)
  }
  return { period, dryRun, outcomes }
}
