import { setTimeout as sleep } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import { ConcurrentChangeError } from '../../shared/errors.js'
import { isTransientConflict } from './database.js'
import type { DB } from './schema.js'

const ATTEMPTS = 5

/**
 * Runs a use case's transaction. A deadlock or serialization failure (PostgreSQL) rolls it back and
 * runs it again from the start, after a short random pause so the racers do not meet again in step;
 * the work must therefore decide only on what it reads inside. When every attempt loses, the caller
 * gets a 409 (`concurrency.conflict`), never a 500.
 */
export async function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work)
    } catch (err) {
      if (!isTransientConflict(err)) throw err
      if (attempt >= ATTEMPTS) throw new ConcurrentChangeError()
      await sleep(Math.random() * 10 * 2 ** attempt)
    }
  }
}
