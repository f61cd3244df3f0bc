import type { Kysely, Selectable } from 'kysely'
import { serializesWriters } from '../../platform/database/database.js'
import type { DB, LedgerEntriesTable, PayoutsTable } from '../../platform/database/schema.js'
import { newId } from '../../shared/ids.js'

export type EntryKind = 'booking' | 'refund' | 'payout' | 'payout_reversal' | 'adjustment'

export interface LedgerEntry {
  id: string
  vendorId: string
  currency: string
  amount: number
  kind: EntryKind
  bookingId: string | null
  sourceId: string
  payoutId: string | null
  reason: string | null
  createdBy: string | null
  createdAt: string
}

export type PayoutStatus = 'processing' | 'paid' | 'failed' | 'carried'

export interface Payout {
  id: string
  vendorId: string
  currency: string
  period: string
  periodStart: string
  periodEnd: string
  amount: number
  status: PayoutStatus
  reason: string | null
  destination: string | null
  providerId: string | null
  createdAt: string
  updatedAt: string
  paidAt: string | null
}

const iso = (v: string | null) => (v === null ? null : new Date(v).toISOString())

function toEntry(r: Selectable<LedgerEntriesTable>): LedgerEntry {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    currency: r.currency,
    amount: Number(r.amount),
    kind: r.kind,
    bookingId: r.booking_id,
    sourceId: r.source_id,
    payoutId: r.payout_id,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  }
}

function toPayout(r: Selectable<PayoutsTable>): Payout {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    currency: r.currency,
    period: r.period,
    periodStart: new Date(r.period_start).toISOString(),
    periodEnd: new Date(r.period_end).toISOString(),
    amount: Number(r.amount),
    status: r.status,
    reason: r.reason,
    destination: r.destination,
    providerId: r.provider_id,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    paidAt: iso(r.paid_at),
  }
}

/**
 * The vendor ledger and its payouts. Entries are appended, never changed in amount; a balance is a
 * sum of entries. The only mark an entry gets later is `payout_id`, the payout that covered it (and
 * that mark is removed again when the transfer fails).
 */
export const ledgerRepository = {
  /** Appends an entry; undefined when an entry for the same (kind, source) exists (a repeat). */
  async append(
    db: Kysely<DB>,
    e: Omit<LedgerEntry, 'id' | 'createdAt' | 'payoutId'> & { payoutId?: string | null },
    now: Date,
  ): Promise<LedgerEntry | undefined> {
    const id = newId('led', now.getTime())
    // ON CONFLICT, not a caught unique violation: on PostgreSQL an error aborts the caller's
    // transaction, and the caller goes on in it.
    const inserted = await db
      .insertInto('ledger_entries')
      .values({
        id,
        vendor_id: e.vendorId,
        currency: e.currency,
        amount: e.amount,
        kind: e.kind,
        booking_id: e.bookingId,
        source_id: e.sourceId,
        payout_id: e.payoutId ?? null,
        reason: e.reason,
        created_by: e.createdBy,
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(['kind', 'source_id']).doNothing())
      .returning('id')
      .execute()
    if (inserted.length === 0) return undefined
    return { ...e, id, payoutId: e.payoutId ?? null, createdAt: now.toISOString() }
  },

  /** The sum of a booking's entries (its credit so far, net of refund corrections). */
  async bookingTotal(db: Kysely<DB>, bookingId: string): Promise<number> {
    const row = await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.sum<number | string>('amount').as('total'))
      .where('booking_id', '=', bookingId)
      .where('kind', 'in', ['booking', 'refund'])
      .executeTakeFirst()
    return Number(row?.total ?? 0)
  },

  async hasBookingCredit(db: Kysely<DB>, bookingId: string): Promise<boolean> {
    const row = await db
      .selectFrom('ledger_entries')
      .select('id')
      .where('kind', '=', 'booking')
      .where('source_id', '=', bookingId)
      .executeTakeFirst()
    return row !== undefined
  },

  /** Entries no payout covers yet, up to `before`; locked on PostgreSQL (a concurrent run waits, then skips them). */
  async unclaimed(
    db: Kysely<DB>,
    vendorId: string,
    currency: string,
    before: string,
  ): Promise<LedgerEntry[]> {
    let q = db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('vendor_id', '=', vendorId)
      .where('currency', '=', currency)
      .where('payout_id', 'is', null)
      .where('created_at', '<', before)
      .orderBy('created_at')
      .orderBy('id')
    if (!serializesWriters(db)) q = q.forUpdate()
    return (await q.execute()).map(toEntry)
  },

  /** Currencies in which a vendor has entries no payout covers, before `before`. */
  async openCurrencies(db: Kysely<DB>, vendorId: string, before: string): Promise<string[]> {
    const rows = await db
      .selectFrom('ledger_entries')
      .select('currency')
      .distinct()
      .where('vendor_id', '=', vendorId)
      .where('payout_id', 'is', null)
      .where('created_at', '<', before)
      .orderBy('currency')
      .execute()
    return rows.map((r) => r.currency)
  },

  async claim(db: Kysely<DB>, ids: readonly string[], payoutId: string): Promise<void> {
    if (ids.length > 0)
      await db.updateTable('ledger_entries').set({ payout_id: payoutId }).where('id', 'in', ids).execute()
  },

  /** After a failed transfer: the entries the payout covered are free again (its own entries stay marked). */
  async release(db: Kysely<DB>, payoutId: string): Promise<void> {
    await db
      .updateTable('ledger_entries')
      .set({ payout_id: null })
      .where('payout_id', '=', payoutId)
      .where('kind', 'not in', ['payout', 'payout_reversal'])
      .execute()
  },

  async entriesOf(db: Kysely<DB>, payoutIds: readonly string[]): Promise<LedgerEntry[]> {
    if (payoutIds.length === 0) return []
    return (
      await db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('payout_id', 'in', payoutIds)
        .where('kind', 'not in', ['payout', 'payout_reversal'])
        .orderBy('created_at')
        .execute()
    ).map(toEntry)
  },

  /** Per currency: the sum of every entry, and of those no payout covers (split at `openSince`). */
  async balances(db: Kysely<DB>, vendorId: string, openSince: string) {
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['currency', 'amount', 'payout_id', 'created_at', 'kind'])
      .where('vendor_id', '=', vendorId)
      .execute()
    const out = new Map<string, { available: number; carried: number }>()
    for (const r of rows) {
      if (r.payout_id !== null) continue
      const b = out.get(r.currency) ?? { available: 0, carried: 0 }
      b.available += Number(r.amount)
      if (new Date(r.created_at).toISOString() < openSince) b.carried += Number(r.amount)
      out.set(r.currency, b)
    }
    return out
  },

  /**
   * Records a payout; false when the vendor's payout for that currency and period exists (another run
   * got there first). ON CONFLICT rather than a caught error: the caller reads the winner next, in the
   * same transaction, which an error would have aborted on PostgreSQL.
   */
  async insertPayout(db: Kysely<DB>, p: Payout): Promise<boolean> {
    const inserted = await db
      .insertInto('payouts')
      .values({
        id: p.id,
        vendor_id: p.vendorId,
        currency: p.currency,
        period: p.period,
        period_start: p.periodStart,
        period_end: p.periodEnd,
        amount: p.amount,
        status: p.status,
        reason: p.reason,
        destination: p.destination,
        provider_id: p.providerId,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        paid_at: p.paidAt,
      })
      .onConflict((oc) => oc.columns(['vendor_id', 'currency', 'period']).doNothing())
      .returning('id')
      .execute()
    return inserted.length === 1
  },

  async findPayout(
    db: Kysely<DB>,
    vendorId: string,
    currency: string,
    period: string,
  ): Promise<Payout | undefined> {
    const row = await db
      .selectFrom('payouts')
      .selectAll()
      .where('vendor_id', '=', vendorId)
      .where('currency', '=', currency)
      .where('period', '=', period)
      .executeTakeFirst()
    return row && toPayout(row)
  },

  async lockPayout(db: Kysely<DB>, id: string): Promise<Payout | undefined> {
    let q = db.selectFrom('payouts').selectAll().where('id', '=', id)
    if (!serializesWriters(db)) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    return row && toPayout(row)
  },

  async settle(
    db: Kysely<DB>,
    id: string,
    change: { status: 'paid' | 'failed'; providerId?: string | null; reason?: string | null },
    now: Date,
  ): Promise<void> {
    const at = now.toISOString()
    await db
      .updateTable('payouts')
      .set({
        status: change.status,
        updated_at: at,
        ...(change.status === 'paid' && { paid_at: at, provider_id: change.providerId ?? null }),
        ...(change.reason !== undefined && { reason: change.reason }),
      })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .execute()
  },

  async processing(db: Kysely<DB>, vendorId?: string): Promise<Payout[]> {
    let q = db.selectFrom('payouts').selectAll().where('status', '=', 'processing')
    if (vendorId) q = q.where('vendor_id', '=', vendorId)
    return (await q.orderBy('created_at').execute()).map(toPayout)
  },

  async payoutsOf(db: Kysely<DB>, vendorId: string, limit: number): Promise<Payout[]> {
    return (
      await db
        .selectFrom('payouts')
        .selectAll()
        .where('vendor_id', '=', vendorId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
    ).map(toPayout)
  },

  /** Paid in `currency` by a vendor within [from, to). */
  async paidBetween(
    db: Kysely<DB>,
    vendorId: string,
    currency: string,
    from: string,
    to: string,
  ): Promise<number> {
    const row = await db
      .selectFrom('payouts')
      .select((eb) => eb.fn.sum<number | string>('amount').as('total'))
      .where('vendor_id', '=', vendorId)
      .where('currency', '=', currency)
      .where('status', '=', 'paid')
      .where('paid_at', '>=', from)
      .where('paid_at', '<', to)
      .executeTakeFirst()
    return Number(row?.total ?? 0)
  },

  async paidTotals(db: Kysely<DB>, vendorId: string) {
    const rows = await db
      .selectFrom('payouts')
      .select(['currency', 'status', (eb) => eb.fn.sum<number | string>('amount').as('total')])
      .where('vendor_id', '=', vendorId)
      .where('status', 'in', ['paid', 'processing'])
      .groupBy(['currency', 'status'])
      .execute()
    return rows.map((r) => ({
      currency: r.currency,
      status: r.status as 'paid' | 'processing',
      total: Number(r.total),
    }))
  },

  /** Flags a vendor for a tax form in `year`, once; true when this call flagged it. */
  async flagTaxForm(
    db: Kysely<DB>,
    vendorId: string,
    year: number,
    total: number,
    now: Date,
  ): Promise<boolean> {
    const r = await db
      .insertInto('vendor_tax_flags')
      .values({ vendor_id: vendorId, year, total_paid: total, flagged_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['vendor_id', 'year']).doNothing())
      .executeTakeFirst()
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1
  },

  async taxFlags(
    db: Kysely<DB>,
    vendorId: string,
  ): Promise<{ year: number; totalPaid: number; flaggedAt: string }[]> {
    const rows = await db
      .selectFrom('vendor_tax_flags')
      .selectAll()
      .where('vendor_id', '=', vendorId)
      .orderBy('year')
      .execute()
    return rows.map((r) => ({
      year: r.year,
      totalPaid: Number(r.total_paid),
      flaggedAt: new Date(r.flagged_at).toISOString(),
    }))
  },
}
