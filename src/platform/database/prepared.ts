import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely'
import { serializesWriters } from './database.js'
import type { DB } from './schema.js'

type Slot = { arg: number } | { value: unknown }

/**
 * A query of fixed shape built once with Kysely and reused: Kysely builds and compiles every query
 * anew, which on a hot path costs more than running it. The builder is called once per dialect with
 * placeholder arguments (unique strings); their positions among the compiled parameters are kept, and
 * each call fills in its own values. Only for queries whose SQL does not depend on the arguments
 * (no optional filters, no lists): the builder must put every argument into a parameter.
 */
export function prepared<A extends unknown[], R>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<R> | RawBuilder<R>,
) {
  const compiled = new Map<string, { query: CompiledQuery<R>; slots: Slot[] }>()
  return async (db: Kysely<DB>, ...args: A): Promise<QueryResult<R>> => {
    const dialect = serializesWriters(db) ? 'sqlite' : 'postgres'
    let entry = compiled.get(dialect)
    if (!entry) {
      const marks = args.map((_, i) => `\u0000prepared-argument-${i}\u0000`)
      // A raw sql`` template compiles against a database; query builders ignore the argument.
      const built = build(db, ...(marks as A)) as { compile(db: Kysely<DB>): CompiledQuery<R> }
      const query = built.compile(db)
      const slots = query.parameters.map((p): Slot => {
        const i = marks.indexOf(p as string)
        return i >= 0 ? { arg: i } : { value: p }
      })
      const used = new Set(slots.flatMap((s) => ('arg' in s ? [s.arg] : [])))
      if (used.size !== args.length)
        throw new Error('prepared(): every argument must become a query parameter')
      entry = { query, slots }
      compiled.set(dialect, entry)
    }
    const { query, slots } = entry
    const parameters = slots.map((s) => ('arg' in s ? args[s.arg] : s.value))
    return db.executeQuery<R>({ ...query, parameters })
  }
}
