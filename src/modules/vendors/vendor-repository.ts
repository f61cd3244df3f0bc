import { type Kysely, type Selectable, sql } from 'kysely'
import { containing } from '../../platform/database/like.js'
import type { DB, VendorsTable } from '../../platform/database/schema.js'
import type { Vendor, VendorStatus } from './vendor.js'

function toVendor(row: Selectable<VendorsTable>): Vendor {
  return {
    id: row.id,
    userId: row.user_id,
    businessName: row.business_name,
    phone: row.phone,
    payoutAccount: row.payout_account,
    payoutSchedule: row.payout_schedule,
    status: row.status,
    commissionBps: row.commission_bps,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export const vendorRepository = {
  async insert(db: Kysely<DB>, v: Vendor): Promise<void> {
    await db
      .insertInto('vendors')
      .values({
        id: v.id,
        user_id: v.userId,
        business_name: v.businessName,
        phone: v.phone,
        payout_account: v.payoutAccount,
        payout_schedule: v.payoutSchedule,
        status: v.status,
        commission_bps: v.commissionBps,
        status_reason: v.statusReason,
        created_at: v.createdAt,
        updated_at: v.updatedAt,
      })
      .execute()
  },

  async findById(db: Kysely<DB>, id: string): Promise<Vendor | undefined> {
    const row = await db.selectFrom('vendors').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toVendor(row)
  },

  async findByUserId(db: Kysely<DB>, userId: string): Promise<Vendor | undefined> {
    const row = await db.selectFrom('vendors').selectAll().where('user_id', '=', userId).executeTakeFirst()
    return row && toVendor(row)
  },

  async update(
    db: Kysely<DB>,
    id: string,
    change: {
      businessName?: string
      phone?: string
      payoutAccount?: string | null
      payoutSchedule?: 'weekly' | 'monthly'
    },
    now: Date,
  ): Promise<void> {
    await db
      .updateTable('vendors')
      .set({
        ...(change.businessName !== undefined && { business_name: change.businessName }),
        ...(change.phone !== undefined && { phone: change.phone }),
        ...(change.payoutAccount !== undefined && { payout_account: change.payoutAccount }),
        ...(change.payoutSchedule !== undefined && { payout_schedule: change.payoutSchedule }),
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute()
  },

  /** Moves the status only from the expected one, so two admins acting at once cannot both win. */
  async changeStatus(
    db: Kysely<DB>,
    id: string,
    from: VendorStatus,
    to: VendorStatus,
    reason: string | null,
    now: Date,
  ): Promise<boolean> {
    const result = await db
      .updateTable('vendors')
      .set({ status: to, status_reason: reason, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  async list(
    db: Kysely<DB>,
    filter: { status?: VendorStatus; q?: string; afterId?: string; limit: number },
  ): Promise<Vendor[]> {
    let q = db.selectFrom('vendors').selectAll().orderBy('id').limit(filter.limit)
    if (filter.status) q = q.where('status', '=', filter.status)
    if (filter.q) {
      const like = containing(filter.q)
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['business_name']), 'like', like),
          eb(
            'user_id',
            'in',
            eb.selectFrom('users as u').select('u.id').where(sql`lower(u.email)`, 'like', like),
          ),
        ]),
      )
    }
    if (filter.afterId) q = q.where('id', '>', filter.afterId)
    return (await q.execute()).map(toVendor)
  },
}
