import type { Kysely } from 'kysely'
import { recordAudit } from '../../platform/audit.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { newId } from '../../shared/ids.js'
import { isKnownCurrency } from '../../shared/money.js'
import { VendorNotFoundError } from '../vendors/index.js'
import { type LedgerEntry, ledgerRepository, type Payout } from './ledger-repository.js'
import { closedPeriod, vendorShareOf } from './payout.js'
import { salesRepository } from './sales-repository.js'

export interface Earnings {
  currency: string
  /** Vendor share of confirmed bookings not yet completed. */
  pending: number
  /** Ledger balance no payout covers yet (what the next run would consider). */
  available: number
  /** Part of `available` a closed period already left behind (below the minimum, negative, no account). */
  carried: number
  /** Transfers sent and not yet answered. */
  inTransit: number
  paidOut: number
}

/** Owners and admins only; anyone else is told the vendor does not exist. */
async function vendorFor(db: Kysely<DB>, actor: Actor, vendorId: string) {
  const vendor = await salesRepository.vendor(db, vendorId)
  if (!vendor || (actor.role !== 'admin' && actor.userId !== vendor.user_id))
    throw new VendorNotFoundError(vendorId)
  return vendor
}

/** A vendor's money, per currency, and the years it was flagged for a 1099 form. */
export async function vendorEarnings(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  vendorId: string,
): Promise<{ earnings: Earnings[]; taxForms: { year: number; totalPaid: number; flaggedAt: string }[] }> {
  const vendor = await vendorFor(deps.db, actor, vendorId)
  const openSince = closedPeriod(vendor.payout_schedule, deps.clock.now()).end
  const byCurrency = new Map<string, Earnings>()
  const of = (currency: string) => {
    const found = byCurrency.get(currency) ?? {
      currency,
      pending: 0,
      available: 0,
      carried: 0,
      inTransit: 0,
      paidOut: 0,
    }
    byCurrency.set(currency, found)
    return found
  }
  for (const b of await salesRepository.confirmedMoney(deps.db, vendorId))
    of(b.currency).pending += vendorShareOf(b.kept, b.commissionBps)
  for (const [currency, b] of await ledgerRepository.balances(deps.db, vendorId, openSince)) {
    of(currency).available += b.available
    of(currency).carried += b.carried
  }
  for (const t of await ledgerRepository.paidTotals(deps.db, vendorId)) {
    if (t.status === 'paid') of(t.currency).paidOut += t.total
    else of(t.currency).inTransit += t.total
  }
  return {
    earnings: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    taxForms: await ledgerRepository.taxFlags(deps.db, vendorId),
  }
}

/** A vendor's payouts, newest first, each with the ledger entries it covered. */
export async function vendorPayouts(
  deps: { db: Kysely<DB> },
  actor: Actor,
  vendorId: string,
  limit = 50,
): Promise<(Payout & { entries: LedgerEntry[] })[]> {
  await vendorFor(deps.db, actor, vendorId)
  const payouts = await ledgerRepository.payoutsOf(deps.db, vendorId, limit)
  const entries = await ledgerRepository.entriesOf(
    deps.db,
    payouts.map((p) => p.id),
  )
  return payouts.map((p) => ({ ...p, entries: entries.filter((e) => e.payoutId === p.id) }))
}

/** Admin: a manual ledger entry with a reason; who made it is kept with it. */
export async function adjustLedger(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  vendorId: string,
  input: { amount: number; currency: string; reason: string },
): Promise<LedgerEntry> {
  if (actor.role !== 'admin') throw new VendorNotFoundError(vendorId)
  await vendorFor(deps.db, actor, vendorId)
  if (!isKnownCurrency(input.currency))
    throw new ValidationError([{ field: 'currency', message: 'is not an ISO 4217 currency' }])
  if (input.amount === 0) throw new ValidationError([{ field: 'amount', message: 'must not be zero' }])
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const entry = await ledgerRepository.append(
      trx,
      {
        vendorId,
        currency: input.currency,
        amount: input.amount,
        kind: 'adjustment',
        bookingId: null,
        sourceId: newId('adj', now.getTime()),
        reason: input.reason,
        createdBy: actor.userId,
      },
      now,
    )
    await recordAudit(
      trx,
      {
        actorId: actor.userId,
        action: 'ledger.adjust',
        targetType: 'vendor',
        targetId: vendorId,
        after: { entry_id: entry!.id, amount: input.amount, currency: input.currency, reason: input.reason },
      },
      now,
    )
    return entry!
  })
}
