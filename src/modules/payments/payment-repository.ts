import type { Kysely, Selectable } from 'kysely'
import { serializesWriters } from '../../platform/database/database.js'
import type { DB, PaymentsTable, RefundsTable } from '../../platform/database/schema.js'
import type { Payment, PaymentRefund, RefundStatus } from './payment.js'
import type { Charge } from './payment-gateway.js'

function toPayment(row: Selectable<PaymentsTable>): Payment {
  return {
    id: row.id,
    bookingId: row.booking_id,
    userId: row.user_id,
    amount: { amount: row.amount, currency: row.currency },
    status: row.status,
    paymentMethod: row.payment_method,
    provider: row.provider,
    providerId: row.provider_id,
    clientSecret: row.client_secret,
    failure: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : null,
    refunded: row.refunded_amount,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settledAt: row.settled_at,
  }
}

function toRefund(row: Selectable<RefundsTable>): PaymentRefund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    bookingId: row.booking_id,
    amount: { amount: row.amount, currency: row.currency },
    status: row.status,
    reason: row.reason,
    providerId: row.provider_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export const UNANSWERED = 'provider_unavailable'

const exactlyOne = (rows: bigint | undefined, what: string) => {
  if (Number(rows) !== 1) throw new Error(`could not ${what}: the row was not as locked`)
}

export const paymentRepository = {
  async insert(db: Kysely<DB>, p: Payment): Promise<void> {
    await db
      .insertInto('payments')
      .values({
        id: p.id,
        booking_id: p.bookingId,
        user_id: p.userId,
        amount: p.amount.amount,
        currency: p.amount.currency,
        status: p.status,
        payment_method: p.paymentMethod,
        provider: p.provider,
        provider_id: p.providerId,
        client_secret: null,
        failure_code: null,
        failure_message: null,
        refunded_amount: 0,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        settled_at: p.settledAt,
      })
      .execute()
  },

  async findById(db: Kysely<DB>, id: string): Promise<Payment | undefined> {
    const row = await db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toPayment(row)
  },

  /** The payment row locked (after its booking: the lock order). */
  async lock(db: Kysely<DB>, id: string): Promise<Payment | undefined> {
    let q = db.selectFrom('payments').selectAll().where('id', '=', id)
    if (!serializesWriters(db)) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    return row && toPayment(row)
  },

  /** The booking's payment in flight or succeeded, if any (there is at most one). */
  async liveOfBooking(db: Kysely<DB>, bookingId: string): Promise<Payment | undefined> {
    const row = await db
      .selectFrom('payments')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .where('status', 'in', ['processing', 'requires_action', 'succeeded'])
      .executeTakeFirst()
    return row && toPayment(row)
  },

  async findByProviderId(db: Kysely<DB>, providerId: string): Promise<Payment | undefined> {
    const row = await db
      .selectFrom('payments')
      .selectAll()
      .where('provider_id', '=', providerId)
      .executeTakeFirst()
    return row && toPayment(row)
  },

  /** Records what the provider said about a locked payment. */
  async settle(db: Kysely<DB>, id: string, charge: Charge, now: Date): Promise<void> {
    const at = now.toISOString()
    const done = charge.status === 'succeeded' || charge.status === 'failed'
    const result = await db
      .updateTable('payments')
      .set({
        status: charge.status,
        provider_id: charge.id,
        client_secret: charge.clientSecret,
        failure_code: charge.failure?.code ?? null,
        failure_message: charge.failure?.message ?? null,
        updated_at: at,
        settled_at: done ? at : null,
      })
      .where('id', '=', id)
      .where(
        'status',
        'in',
        charge.status === 'succeeded'
          ? ['processing', 'requires_action', 'failed']
          : ['processing', 'requires_action'],
      )
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `settle payment ${id}`)
  },

  /** A payment whose provider call went unanswered: still in flight, and a retry may drive it again. */
  async markUnanswered(db: Kysely<DB>, id: string, now: Date): Promise<void> {
    await db
      .updateTable('payments')
      .set({
        failure_code: UNANSWERED,
        failure_message: 'The payment provider did not answer.',
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .execute()
  },

  /** Payments left in flight since before `before`: the reconciliation's work. */
  async inFlightSince(db: Kysely<DB>, before: Date, limit: number): Promise<Payment[]> {
    const rows = await db
      .selectFrom('payments')
      .selectAll()
      .where('status', 'in', ['processing', 'requires_action'])
      .where('updated_at', '<=', before.toISOString())
      .orderBy('updated_at')
      .limit(limit)
      .execute()
    return rows.map(toPayment)
  },

  /**
   * Reserves a refund's amount on the payment: only if what is refunded stays within what was
   * captured (the CHECK is the backstop). False: it would go over; nothing changed.
   */
  async reserveRefund(db: Kysely<DB>, paymentId: string, amount: number): Promise<boolean> {
    const result = await db
      .updateTable('payments')
      .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', amount) }))
      .where('id', '=', paymentId)
      .where('status', '=', 'succeeded')
      .where((eb) => eb(eb('refunded_amount', '+', amount), '<=', eb.ref('amount')))
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  async releaseRefund(db: Kysely<DB>, paymentId: string, amount: number): Promise<void> {
    const result = await db
      .updateTable('payments')
      .set((eb) => ({ refunded_amount: eb('refunded_amount', '-', amount) }))
      .where('id', '=', paymentId)
      .where('refunded_amount', '>=', amount)
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `release a refund on payment ${paymentId}`)
  },

  async insertRefund(db: Kysely<DB>, r: PaymentRefund): Promise<void> {
    await db
      .insertInto('refunds')
      .values({
        id: r.id,
        payment_id: r.paymentId,
        booking_id: r.bookingId,
        amount: r.amount.amount,
        currency: r.amount.currency,
        status: r.status,
        reason: r.reason,
        provider_id: null,
        failure_message: null,
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })
      .execute()
  },

  async findRefund(db: Kysely<DB>, id: string): Promise<PaymentRefund | undefined> {
    const row = await db.selectFrom('refunds').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toRefund(row)
  },

  async lockRefund(db: Kysely<DB>, id: string): Promise<PaymentRefund | undefined> {
    let q = db.selectFrom('refunds').selectAll().where('id', '=', id)
    if (!serializesWriters(db)) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    return row && toRefund(row)
  },

  async settleRefund(
    db: Kysely<DB>,
    id: string,
    status: RefundStatus,
    providerId: string | null,
    failure: string | null,
    now: Date,
  ): Promise<void> {
    const result = await db
      .updateTable('refunds')
      .set({ status, provider_id: providerId, failure_message: failure, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'processing')
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `settle refund ${id}`)
  },

  /** A booking's payments, oldest first, with their refunds. */
  async ofBooking(
    db: Kysely<DB>,
    bookingId: string,
  ): Promise<{ payment: Payment; refunds: PaymentRefund[] }[]> {
    const payments = (
      await db.selectFrom('payments').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute()
    ).map(toPayment)
    if (payments.length === 0) return []
    const refunds = (
      await db.selectFrom('refunds').selectAll().where('booking_id', '=', bookingId).orderBy('id').execute()
    ).map(toRefund)
    return payments.map((payment) => ({
      payment,
      refunds: refunds.filter((r) => r.paymentId === payment.id),
    }))
  },

  async refundsOf(db: Kysely<DB>, paymentId: string): Promise<PaymentRefund[]> {
    const rows = await db
      .selectFrom('refunds')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .orderBy('id')
      .execute()
    return rows.map(toRefund)
  },

  async refundsInFlightSince(db: Kysely<DB>, before: Date, limit: number): Promise<PaymentRefund[]> {
    const rows = await db
      .selectFrom('refunds')
      .selectAll()
      .where('status', '=', 'processing')
      .where('updated_at', '<=', before.toISOString())
      .orderBy('updated_at')
      .limit(limit)
      .execute()
    return rows.map(toRefund)
  },
}
