import type { Kysely } from 'kysely'
import { newId } from '../shared/ids.js'
import type { DB } from './database/schema.js'

/** One admin action on record: who did what to what, and the state before and after. */
export interface AuditEntry {
  actorId: string
  /** e.g. `vendor.approve`, `user.deactivate`, `ledger.adjust`, `job.retry`, `payout.run`, `payment.refund`. */
  action: string
  targetType: string
  targetId: string
  before?: unknown
  after?: unknown
}

export interface AuditRecord extends Required<AuditEntry> {
  id: string
  at: string
}

/**
 * The audit trail: like the outbox, a row written by the transaction of the action it records, so an
 * action is on record if and only if it happened. Every module's admin actions call it.
 */
export async function recordAudit(trx: Kysely<DB>, entry: AuditEntry, now: Date): Promise<void> {
  await trx
    .insertInto('admin_audit')
    .values({
      id: newId('aud', now.getTime()),
      actor_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      at: now.toISOString(),
    })
    .execute()
}

export const auditRepository = {
  /** Newest first, keyset on id (ids grow with time). */
  async list(
    db: Kysely<DB>,
    f: { actorId?: string; targetId?: string; action?: string; beforeId?: string; limit: number },
  ): Promise<AuditRecord[]> {
    let q = db.selectFrom('admin_audit').selectAll().orderBy('id', 'desc').limit(f.limit)
    if (f.actorId) q = q.where('actor_id', '=', f.actorId)
    if (f.targetId) q = q.where('target_id', '=', f.targetId)
    if (f.action) q = q.where('action', '=', f.action)
    if (f.beforeId) q = q.where('id', '<', f.beforeId)
    return (await q.execute()).map((r) => ({
      id: r.id,
      actorId: r.actor_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      before: r.before === null ? null : JSON.parse(r.before),
      after: r.after === null ? null : JSON.parse(r.after),
      at: new Date(r.at).toISOString(),
    }))
  },
}
