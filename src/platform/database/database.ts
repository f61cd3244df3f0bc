import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  type Dialect as KyselyDialect,
  PostgresDialect,
  SqliteAdapter,
  SqliteDriver,
  type SqliteDriver as SqliteDriverType,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely'
import pg from 'pg'
import type { DB } from './schema.js'

export type Dialect = 'sqlite' | 'postgres'

export interface Database {
  readonly db: Kysely<DB>
  readonly dialect: Dialect
  /** Where it is (for a connection of one's own, e.g. LISTEN). */
  readonly url: string
  /** SQLite only: the connection itself (functions, temporary triggers, pragmas of this connection). */
  readonly sqlite?: SqliteDatabase.Database
  ping(): Promise<void>
  close(): Promise<void>
}

interface Logger {
  warn(obj: object, msg: string): void
}

/**
 * Kysely's SQLite driver opens transactions with a plain BEGIN, which takes the write lock only at
 * the first write: two processes can then both read and one fails to upgrade with SQLITE_BUSY.
 * BEGIN IMMEDIATE takes the write lock at the start, and busy_timeout makes the other one wait.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

/** Prepared statements are cached: Kysely prepares every query anew, which costs on hot paths. */
function withStatementCache(raw: SqliteDatabase.Database, size = 500) {
  const statements = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => raw.close(),
    prepare(query: string) {
      let statement = statements.get(query)
      if (statement === undefined) {
        statement = raw.prepare(query)
        if (statements.size >= size) statements.delete(statements.keys().next().value as string)
        statements.set(query, statement)
      }
      return statement
    },
  }
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const raw = new SqliteDatabase(path)
  raw.pragma('journal_mode = WAL')
  raw.pragma('busy_timeout = 10000')
  raw.pragma('synchronous = NORMAL')
  raw.pragma('foreign_keys = ON')
  const database = withStatementCache(raw)
  const dialect: KyselyDialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ImmediateSqliteDriver({ database }) as SqliteDriverType,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }
  const db = new Kysely<DB>({ dialect })
  return {
    db,
    dialect: 'sqlite',
    url: `sqlite:${path}`,
    sqlite: raw,
    async ping() {
      await sql`select 1`.execute(db)
    },
    close: () => db.destroy(),
  }
}

const INT8_OID = 20
const TIMESTAMPTZ_OID = 1184

export interface PoolOptions {
  /** Connections this process keeps at most. */
  max: number
  /**
   * How long a query waits for a free connection. Under a burst, transactions queue behind row locks
   * while holding their connections: the wait must outlast such a queue, or a busy database reads as
   * a dead one (503).
   */
  waitMs: number
}

const DEFAULT_POOL: PoolOptions = { max: 10, waitMs: 15_000 }

function openPostgres(url: string, logger?: Logger, options: PoolOptions = DEFAULT_POOL): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: options.waitMs,
    idleTimeoutMillis: 30000,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        // Counts and sums of integers come back as int8: our amounts fit in a double exactly.
        if (oid === INT8_OID) return (v: string) => Number(v)
        // Same text form of timestamps as on SQLite, so mapping code is written once.
        if (oid === TIMESTAMPTZ_OID) return (v: string) => new Date(v).toISOString()
        return pg.types.getTypeParser(oid, format as 'text')
      }) as typeof pg.types.getTypeParser,
    },
  })
  // A client that loses its server (restart, failover) emits 'error'; unhandled, that kills the process.
  // The pool listens on idle clients ('error' below); a client checked out between two statements of a
  // transaction has no listener of the pool's, so each gets one of ours: its next statement fails (→ 503)
  // and the pool drops it on release.
  pool.on('error', (err) => logger?.warn({ err }, 'idle PostgreSQL client lost its connection'))
  pool.on('connect', (client) =>
    client.on('error', (err) => logger?.warn({ err }, 'PostgreSQL client lost its connection')),
  )
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    url,
    async ping() {
      await sql`select 1`.execute(db)
    },
    close: () => db.destroy(),
  }
}

export function openDatabase(url: string, logger?: Logger, pool?: PoolOptions): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length))
  return openPostgres(url, logger, pool)
}

/** PostgreSQL error codes and socket errors that mean "the database is not there right now". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  if (typeof code !== 'string') {
    return (
      err instanceof Error &&
      /Connection terminated|timeout exceeded when trying to connect|not queryable/.test(err.message)
    )
  }
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'SQLITE_BUSY'].includes(code) ||
    code.startsWith('08') || // connection exceptions
    code === '57P01' || // admin shutdown
    code === '57P02' ||
    code === '57P03' // cannot connect now (starting up)
  )
}

/** A serialization failure or a deadlock (PostgreSQL): the transaction lost a race and may simply run again. */
export function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return code === '40001' || code === '40P01'
}

/** A table that does not exist (yet): the schema has not been migrated. */
export function isMissingTable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return code === '42P01' || (err instanceof Error && /no such table/.test(err.message))
}

/** Unique-constraint violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/**
 * True on SQLite, where every writing transaction holds the one write lock from BEGIN IMMEDIATE
 * on: row locks there would only add writes.
 */
export function serializesWriters(db: Kysely<DB>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter
}
