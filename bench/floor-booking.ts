import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

/**
 * Floor: the same booking transaction as POST /bookings — the capacity guard, the booking row, the
 * outbox row — by hand with the raw driver: no framework, no validation, no auth, no query builder.
 * Usage: node floor-booking.js PORT DATABASE_URL
 */
const [port, url] = [Number(process.argv[2]), process.argv[3] ?? '']

const GUARD =
  'update trips set seats_taken = seats_taken + $1 where id = $2 and status = $3 and starts_at > $4 and seats_taken + $1 <= capacity returning price_amount, price_currency'
const BOOKING =
  'insert into bookings (id, trip_id, user_id, seats, status, unit_price, total_amount, currency, commission_bps, hold_expires_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)'
const OUTBOX =
  'insert into outbox (id, type, aggregate_id, payload, created_at, available_at, attempts) values ($1, $2, $3, $4, $5, $6, 0)'

/**
 * The floor's events are written like the service's, but due in a century: the service's worker (same
 * database) must not spend the measured scenarios delivering the floor's events.
 */
const NEVER = '2126-01-01T00:00:00.000Z'

type Booking = { id: string; total: number; currency: string } | undefined
type Book = (tripId: string, userId: string, seats: number) => Promise<Booking>

function sqlite(path: string): Book {
  const db = new SqliteDatabase(path)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 10000')
  db.pragma('synchronous = NORMAL')
  // Same statements with SQLite's anonymous parameters ($1 appears twice in the guard).
  const toSqlite = (q: string) => q.replace(/\$\d+/g, '?')
  const guard = db.prepare(toSqlite(GUARD))
  const booking = db.prepare(toSqlite(BOOKING))
  const outbox = db.prepare(toSqlite(OUTBOX))
  const run = db.transaction((tripId: string, userId: string, seats: number): Booking => {
    const now = new Date().toISOString()
    const trip = guard.get(seats, tripId, 'published', now, seats) as
      | { price_amount: number; price_currency: string }
      | undefined
    if (!trip) return undefined
    const id = `bkg_${randomUUID()}`
    const total = trip.price_amount * seats
    const hold = new Date(Date.now() + 900_000).toISOString()
    booking.run(
      id,
      tripId,
      userId,
      seats,
      'pending',
      trip.price_amount,
      total,
      trip.price_currency,
      2000,
      hold,
      now,
      now,
    )
    outbox.run(`evt_${randomUUID()}`, 'booking.created', id, JSON.stringify({ booking_id: id }), now, NEVER)
    return { id, total, currency: trip.price_currency }
  })
  // .immediate: BEGIN IMMEDIATE, as the service does, so several processes queue instead of failing.
  return async (tripId, userId, seats) => run.immediate(tripId, userId, seats)
}

function postgres(connectionString: string): Book {
  const pool = new pg.Pool({ connectionString, max: 10 })
  pool.on('error', () => {})
  return async (tripId, userId, seats) => {
    const client = await pool.connect()
    try {
      await client.query('begin')
      const now = new Date().toISOString()
      const trip = await client.query(GUARD, [seats, tripId, 'published', now])
      if (trip.rowCount !== 1) {
        await client.query('rollback')
        return undefined
      }
      const { price_amount: price, price_currency: currency } = trip.rows[0]
      const id = `bkg_${randomUUID()}`
      const hold = new Date(Date.now() + 900_000).toISOString()
      await client.query(BOOKING, [
        id,
        tripId,
        userId,
        seats,
        'pending',
        price,
        price * seats,
        currency,
        2000,
        hold,
        now,
        now,
      ])
      await client.query(OUTBOX, [
        `evt_${randomUUID()}`,
        'booking.created',
        id,
        JSON.stringify({ booking_id: id }),
        now,
        NEVER,
      ])
      await client.query('commit')
      return { id, total: price * seats, currency }
    } catch (err) {
      await client.query('rollback').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }
}

const book = url.startsWith('sqlite:') ? sqlite(url.slice('sqlite:'.length)) : postgres(url)

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => {
      data += c
    })
    req.on('end', () => ok(data))
    req.on('error', fail)
  })
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

createServer(async (req, res) => {
  try {
    const body = JSON.parse(await readBody(req)) as { trip_id: string; seats: number }
    const userId = String(req.headers['x-user-id'])
    const booking = await book(body.trip_id, userId, body.seats)
    if (!booking) return send(res, 409, { code: 'booking.sold_out' })
    send(res, 201, {
      id: booking.id,
      status: 'pending',
      total: { amount: booking.total, currency: booking.currency },
    })
  } catch {
    send(res, 500, { code: 'internal' })
  }
}).listen(port, '127.0.0.1', () => process.stdout.write('floor listening\n'))
