import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import { ResellerAdminOnlyError } from './reseller-errors.js'
import { type StatementLine, statementRepository } from './statement-repository.js'

/** What each reseller owes for a calendar month (UTC), for admins: sales at net, less credits. */
export async function resellerStatement(
  deps: { db: Kysely<DB> },
  actor: Actor,
  month: string,
): Promise<{ month: string; from: string; to: string; lines: StatementLine[] }> {
  if (actor.role !== 'admin') throw new ResellerAdminOnlyError()
  const [year, m] = month.split('-').map(Number) as [number, number]
  const from = new Date(Date.UTC(year, m - 1, 1)).toISOString()
  const to = new Date(Date.UTC(year, m, 1)).toISOString()
  return { month, from, to, lines: await statementRepository.month(deps.db, from, to) }
}

/** The statement lines of [from, to), for reports that already hold the admin's authority. */
export function statementOf(deps: { db: Kysely<DB> }, from: string, to: string): Promise<StatementLine[]> {
  return statementRepository.month(deps.db, from, to)
}
