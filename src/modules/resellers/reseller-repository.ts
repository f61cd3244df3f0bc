import type { Kysely, Selectable } from 'kysely'
import type { DB, ResellerAccessTable, ResellersTable } from '../../platform/database/schema.js'
import type { Reseller, ResellerAccess, ResellerActor } from './reseller.js'

function toReseller(row: Selectable<ResellersTable>): Reseller {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    contactEmail: row.contact_email,
    maxHeldSeats: row.max_held_seats,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function toAccess(row: Selectable<ResellerAccessTable>): ResellerAccess {
  return {
    id: row.id,
    resellerId: row.reseller_id,
    vendorId: row.vendor_id,
    commissionBps: row.commission_bps,
    keyHint: row.key_hint,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  }
}

export const resellerRepository = {
  async insert(db: Kysely<DB>, r: Reseller): Promise<void> {
    await db
      .insertInto('resellers')
      .values({
        id: r.id,
        user_id: r.userId,
        name: r.name,
        contact_email: r.contactEmail,
        max_held_seats: r.maxHeldSeats,
        status: r.status,
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })
      .execute()
  },

  async findById(db: Kysely<DB>, id: string): Promise<Reseller | undefined> {
    const row = await db.selectFrom('resellers').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toReseller(row)
  },

  async list(
    db: Kysely<DB>,
    f: { afterId?: string; limit: number; activeOnly?: boolean },
  ): Promise<Reseller[]> {
    let q = db.selectFrom('resellers').selectAll().orderBy('id').limit(f.limit)
    if (f.afterId) q = q.where('id', '>', f.afterId)
    if (f.activeOnly) q = q.where('status', '=', 'active')
    return (await q.execute()).map(toReseller)
  },

  async changeStatus(db: Kysely<DB>, id: string, status: Reseller['status'], now: Date): Promise<void> {
    await db
      .updateTable('resellers')
      .set({ status, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute()
  },

  async insertAccess(db: Kysely<DB>, a: ResellerAccess, keyHash: string): Promise<void> {
    await db
      .insertInto('reseller_access')
      .values({
        id: a.id,
        reseller_id: a.resellerId,
        vendor_id: a.vendorId,
        commission_bps: a.commissionBps,
        key_hash: keyHash,
        key_hint: a.keyHint,
        created_by: a.createdBy,
        created_at: a.createdAt,
        revoked_at: null,
        revoked_by: null,
      })
      .execute()
  },

  async findAccess(db: Kysely<DB>, id: string): Promise<ResellerAccess | undefined> {
    const row = await db.selectFrom('reseller_access').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toAccess(row)
  },

  async accessOfVendor(
    db: Kysely<DB>,
    vendorId: string,
  ): Promise<(ResellerAccess & { resellerName: string })[]> {
    const rows = await db
      .selectFrom('reseller_access as a')
      .innerJoin('resellers as r', 'r.id', 'a.reseller_id')
      .selectAll('a')
      .select('r.name as reseller_name')
      .where('a.vendor_id', '=', vendorId)
      .orderBy('a.id', 'desc')
      .limit(500)
      .execute()
    return rows.map((row) => ({ ...toAccess(row), resellerName: row.reseller_name }))
  },

  /** Revokes a live access; false when it was already revoked. */
  async revoke(db: Kysely<DB>, id: string, by: string, now: Date): Promise<boolean> {
    const result = await db
      .updateTable('reseller_access')
      .set({ revoked_at: now.toISOString(), revoked_by: by })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  /**
   * The caller behind a key hash: a live access, of an active reseller, to an approved vendor. Read on
   * every request (one indexed row), so a revocation or suspension takes effect on the next request on
   * every instance.
   */
  async actorByKeyHash(db: Kysely<DB>, keyHash: string): Promise<ResellerActor | undefined> {
    const row = await db
      .selectFrom('reseller_access as a')
      .innerJoin('resellers as r', 'r.id', 'a.reseller_id')
      .innerJoin('vendors as v', 'v.id', 'a.vendor_id')
      .select([
        'a.id as access_id',
        'a.vendor_id',
        'a.commission_bps',
        'r.id as reseller_id',
        'r.user_id as reseller_user_id',
        'r.name as reseller_name',
        'r.max_held_seats',
      ])
      .where('a.key_hash', '=', keyHash)
      .where('a.revoked_at', 'is', null)
      .where('r.status', '=', 'active')
      .where('v.status', '=', 'approved')
      .executeTakeFirst()
    return (
      row && {
        accessId: row.access_id,
        resellerId: row.reseller_id,
        resellerUserId: row.reseller_user_id,
        resellerName: row.reseller_name,
        vendorId: row.vendor_id,
        commissionBps: row.commission_bps,
        maxHeldSeats: row.max_held_seats,
      }
    )
  },
}
