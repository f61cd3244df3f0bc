import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { DB } from '../../src/platform/database/schema.js'

const TABLES: (keyof DB)[] = [
  'users',
  'sessions',
  'refresh_tokens',
  'vendors',
  'trips',
  'bookings',
  'traveller_holds',
  'outbox',
]

/** A digest of every business table's rows: equal digests mean nothing was written in between. */
export async function fingerprint(db: Kysely<DB>): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const table of TABLES) {
    const rows = await db.selectFrom(table).selectAll().execute()
    const lines = rows.map((r) => JSON.stringify(r)).sort()
    out[table] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`
  }
  return out
}
