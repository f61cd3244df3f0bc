import pg from 'pg'
import type { Logger } from '../logger.js'
import type { Database } from './database.js'

/** The channel PostgreSQL's triggers notify (migration 0015) with the id of the booking that changed. */
export const BOOKING_CHANGES = 'travellr_booking_changed'

/**
 * Which bookings changed, from every writer: a row of `bookings`, or a payment or refund of a booking,
 * inserted, updated or deleted by any process. What caches booking reads listens here.
 *
 * - PostgreSQL: triggers on the three tables `pg_notify` the booking id; NOTIFY is delivered after the
 *   commit, to every listening process. A connection of its own LISTENs; while it is down, the feed is
 *   not `live` and says "everything" (null) when it is lost and again once it listens anew, since
 *   notifications sent meanwhile are gone.
 * - SQLite: temporary triggers on this process's connection call a function of ours with the booking
 *   id (this process's writes); `check()` compares `PRAGMA data_version`, which moves when another
 *   connection (another process, a shell) commits, and then says "everything".
 */
export interface ChangeFeed {
  /** False while a change could go unseen: nothing cached may be trusted then. */
  readonly live: boolean
  /** Brings the feed up to date before a cached answer is trusted (SQLite: other processes' commits). */
  check(): void
  /** `bookingId` changed, or (null) any booking may have. */
  onChange(listener: (bookingId: string | null) => void): void
  close(): Promise<void>
}

/** One feed per SQLite connection: its function and triggers belong to the connection, not to a caller. */
const sqliteFeeds = new WeakMap<NonNullable<Database['sqlite']>, ChangeFeed>()

export function openChangeFeed(database: Database, log: Logger): ChangeFeed {
  const raw = database.sqlite
  if (!raw) return postgresFeed(database.url, log)
  let feed = sqliteFeeds.get(raw)
  if (!feed) {
    feed = sqliteFeed(raw, log)
    sqliteFeeds.set(raw, feed)
  }
  return feed
}

function fanOut() {
  const listeners: ((bookingId: string | null) => void)[] = []
  return {
    add: (l: (bookingId: string | null) => void) => listeners.push(l),
    emit: (bookingId: string | null) => {
      for (const l of listeners) l(bookingId)
    },
  }
}

function sqliteFeed(raw: NonNullable<Database['sqlite']>, log: Logger): ChangeFeed {
  const listeners = fanOut()
  raw.function('travellr_booking_changed', { deterministic: false }, (id: unknown) => {
    listeners.emit(typeof id === 'string' ? id : null)
    return null
  })
  // The triggers go in once the tables exist (a first start migrates after opening), and never inside
  // a transaction of someone else's on this connection (its rollback would take them away).
  let installed = false
  let warned = false
  const install = () => {
    if (installed || raw.inTransaction) return installed
    try {
      for (const [table, column] of [
        ['bookings', 'id'],
        ['payments', 'booking_id'],
        ['refunds', 'booking_id'],
      ] as const)
        for (const [op, row] of [
          ['insert', 'new'],
          ['update', 'new'],
          ['delete', 'old'],
        ] as const)
          raw.exec(
            `create temp trigger if not exists travellr_${table}_${op}_changed after ${op} on main.${table} ` +
              `begin select travellr_booking_changed(${row}.${column}); end`,
          )
      installed = true
      listeners.emit(null)
    } catch (err) {
      if (!warned)
        log.warn({ err }, 'booking change feed not ready (schema not migrated): reads bypass the cache')
      warned = true
    }
    return installed
  }
  // Prepared once: a pragma call compiles its statement every time, which a hot read path notices.
  const dataVersion = raw.prepare('pragma data_version').pluck()
  let version = dataVersion.get()
  return {
    get live() {
      return install()
    },
    check() {
      const now = dataVersion.get()
      if (now !== version) {
        version = now
        listeners.emit(null)
      }
    },
    onChange: listeners.add,
    async close() {},
  }
}

function postgresFeed(url: string, log: Logger): ChangeFeed {
  const listeners = fanOut()
  let live = false
  let closed = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined

  const lost = (err?: unknown) => {
    if (!live && client === undefined) return
    if (live) log.warn({ err }, 'booking change feed lost its connection: booking reads bypass the cache')
    live = false
    listeners.emit(null)
    client?.removeAllListeners()
    client?.on('error', () => {})
    client?.end().catch(() => {})
    client = undefined
    if (!closed) retry = setTimeout(connect, 1000)
  }

  const connect = async () => {
    if (closed) return
    const c = new pg.Client({ connectionString: url })
    client = c
    c.on('error', lost)
    c.on('end', () => lost())
    c.on('notification', (n) => {
      if (n.channel === BOOKING_CHANGES) listeners.emit(n.payload ?? null)
    })
    try {
      await c.connect()
      await c.query(`listen ${BOOKING_CHANGES}`)
      if (closed || client !== c) return
      // Whatever changed while nobody listened is unknown: forget everything, then trust again.
      listeners.emit(null)
      live = true
    } catch (err) {
      lost(err)
    }
  }
  void connect()

  return {
    get live() {
      return live
    },
    check() {},
    onChange: listeners.add,
    async close() {
      closed = true
      live = false
      if (retry) clearTimeout(retry)
      const c = client
      client = undefined
      c?.removeAllListeners()
      c?.on('error', () => {})
      await c?.end().catch(() => {})
    },
  }
}
