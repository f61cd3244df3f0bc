import { type RawBuilder, sql } from 'kysely'

/**
 * A `LIKE` pattern matching rows that contain `text` (case-insensitive: compare against a lowered
 * column), with `%`, `_` and `\` taken literally on both dialects (SQLite has no default escape).
 */
export function containing(text: string): RawBuilder<string> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<string>`${pattern} escape '\\'`
}
