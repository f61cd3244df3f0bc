import type { Kysely } from 'kysely'
import { type AuditRecord, auditRepository } from '../../platform/audit.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { AdminRequiredError } from './admin-errors.js'

/** Admin: the audit trail, newest first, by who, what or which target; limit+1 rows for paging. */
export async function readAudit(
  deps: { db: Kysely<DB> },
  actor: Actor,
  filter: { actorId?: string; targetId?: string; action?: string; beforeId?: string; limit: number },
): Promise<AuditRecord[]> {
  if (actor.role !== 'admin') throw new AdminRequiredError()
  return auditRepository.list(deps.db, { ...filter, limit: filter.limit + 1 })
}
