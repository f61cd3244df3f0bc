import SqliteDatabase from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Database, openDatabase } from '../../src/platform/database/database.js'
import { migrateToLatest, migrateUpTo } from '../../src/platform/database/migrations.js'
import { ADMIN_URL } from '../support/services.js'
import { createTestDatabase, dialects, type TestDatabase } from '../support/stacks.js'

describe.each(dialects)('migration 0017 on %s, over data written before it', (dialect) => {
  it('when users and trips exist, then every trip becomes a product of one departure and the reseller role is allowed, keys intact', async () => {
    const tdb = await createTestDatabase(dialect)
    const database = openDatabase(tdb.url)
    try {
      const db = database.db
      await migrateUpTo(db, dialect, '0016_trips_ends_index')
      const at = '2027-03-28T08:00:00.000Z'
      await db
        .insertInto('users')
        .values({
          id: 'usr_a',
          email: 'v@example.com',
          name: 'V',
          phone: null,
          password_hash: 'h',
          role: 'vendor',
          status: 'active',
          created_at: at,
          updated_at: at,
          deleted_at: null,
          language: null,
        })
        .execute()
      await sql`insert into vendors (id, user_id, business_name, phone, status, commission_bps, created_at, updated_at)
        values ('vnd_a', 'usr_a', 'V Tours', '+1', 'approved', 2000, ${at}, ${at})`.execute(db)
      await sql`insert into trips (id, vendor_id, title, description, location, location_key, starts_at, ends_at, timezone,
        price_amount, price_currency, capacity, seats_taken, cancellation_policy, status, created_at, updated_at)
        values ('trp_0123456789abcdefghjkmnpqrs', 'vnd_a', 'T', 'D', 'Porto', 'porto', ${at}, '2027-03-28T10:30:00.000Z',
        'Europe/Lisbon', 100, 'EUR', 5, 0, '{"tiers":[]}', 'published', ${at}, ${at})`.execute(db)
      await migrateToLatest(db, dialect)
      const trip = await db.selectFrom('trips').select('product_id').executeTakeFirstOrThrow()
      expect(trip.product_id).toBe('prd_0123456789abcdefghjkmnpqrs')
      const product = await db.selectFrom('products').selectAll().executeTakeFirstOrThrow()
      expect(product).toMatchObject({ vendor_id: 'vnd_a', duration_minutes: 150, timezone: 'Europe/Lisbon' })
      const user = await db.selectFrom('users').selectAll().executeTakeFirstOrThrow()
      expect(user).toMatchObject({ id: 'usr_a', email: 'v@example.com', role: 'vendor' })
      await db
        .insertInto('users')
        .values({
          id: 'usr_r',
          email: null,
          name: 'R',
          phone: null,
          password_hash: null,
          role: 'reseller',
          status: 'active',
          created_at: at,
          updated_at: at,
          deleted_at: null,
          language: null,
        })
        .execute()
      await expect(
        sql`insert into users (id, name, role, status, created_at, updated_at) values ('usr_x', 'X', 'pirate', 'active', ${at}, ${at})`.execute(
          db,
        ),
      ).rejects.toThrow()
      // Foreign keys still point at users: a vendor of no user is refused.
      await expect(
        sql`insert into vendors (id, user_id, business_name, phone, status, commission_bps, created_at, updated_at)
          values ('vnd_b', 'usr_nobody', 'B', '+1', 'approved', 2000, ${at}, ${at})`.execute(db),
      ).rejects.toThrow()
    } finally {
      await database.close()
      await tdb.drop()
    }
  })
})

describe.each(dialects)('database on %s', (dialect) => {
  let tdb: TestDatabase
  let database: Database
  beforeAll(async () => {
    tdb = await createTestDatabase(dialect)
    database = openDatabase(tdb.url)
  })
  afterAll(async () => {
    await database.close()
    await tdb.drop()
  })

  it('when migrated twice, then the second run applies nothing and the tables exist', async () => {
    expect(await migrateToLatest(database.db, dialect)).toEqual([
      '0001_foundation',
      '0002_vendors_trips',
      '0003_bookings',
      '0004_booking_holds_index',
      '0005_held_seats',
      '0006_sessions_revoked_index',
      '0007_traveller_holds',
      '0008_payments',
      '0009_webhook_events',
      '0010_invoices',
      '0011_event_delivery',
      '0012_payouts',
      '0013_admin_audit',
      '0014_outbox_due_index',
      '0015_booking_change_notices',
      '0016_trips_ends_index',
      '0017_products_and_resellers',
    ])
    expect(await migrateToLatest(database.db, dialect)).toEqual([])
    const tables = (await database.db.introspection.getTables()).map((t) => t.name)
    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'refresh_tokens',
        'idempotency_keys',
        'outbox',
        'vendors',
        'trips',
      ]),
    )
  })

  it('when a timestamp is written, then it reads back as the same RFC 3339 UTC string', async () => {
    const at = '2027-03-28T08:00:00.000Z'
    await database.db
      .insertInto('users')
      .values({
        id: 'usr_ts',
        email: null,
        name: 'T',
        phone: null,
        password_hash: null,
        role: 'traveler',
        status: 'active',
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .execute()
    const row = await database.db
      .selectFrom('users')
      .select('created_at')
      .where('id', '=', 'usr_ts')
      .executeTakeFirstOrThrow()
    expect(row.created_at).toBe(at)
    const later = await database.db
      .selectFrom('users')
      .select('id')
      .where('created_at', '>', '2027-03-28T07:59:59.999Z')
      .execute()
    expect(later.map((r) => r.id)).toContain('usr_ts')
  })

  it('when a check constraint is broken, then the database refuses the row', async () => {
    const at = new Date().toISOString()
    await expect(
      database.db
        .insertInto('users')
        .values({
          id: 'usr_bad',
          email: null,
          name: 'B',
          phone: null,
          password_hash: null,
          role: 'root' as 'admin',
          status: 'active',
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })
        .execute(),
    ).rejects.toThrow()
  })

  it('when a transaction throws, then nothing of it stays', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into outbox (id, type, aggregate_id, payload, created_at, available_at, attempts) values ('evt_rb', 't', 'a', '{}', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z', 0)`.execute(
          trx,
        )
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await database.db.selectFrom('outbox').select('id').where('id', '=', 'evt_rb').execute()).toEqual(
      [],
    )
  })
})

describe.runIf(dialects.includes('sqlite'))('SQLite write locking', () => {
  it('when our transaction begins, then it holds the write lock before its first write (BEGIN IMMEDIATE)', async () => {
    const tdb = await createTestDatabase('sqlite')
    const database = openDatabase(tdb.url)
    await migrateToLatest(database.db, 'sqlite')
    const other = new SqliteDatabase(tdb.url.slice('sqlite:'.length))
    other.pragma('busy_timeout = 0')
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    let entered!: () => void
    const inside = new Promise<void>((r) => {
      entered = r
    })
    const trx = database.db.transaction().execute(async (t) => {
      await t.selectFrom('users').select('id').execute() // a read only: a plain BEGIN would hold no write lock yet
      entered()
      await held
    })
    await inside
    expect(() => other.exec('begin immediate')).toThrow(/locked|busy/i)
    release()
    await trx
    other.exec('begin immediate; rollback')
    other.close()
    await database.close()
    await tdb.drop()
  })
})

describe.runIf(dialects.includes('postgres'))('PostgreSQL connection loss', () => {
  it('when the server kills an idle pooled connection, then the process survives and the next query works', async () => {
    const tdb = await createTestDatabase('postgres')
    const warnings: object[] = []
    const database = openDatabase(tdb.url, { warn: (obj) => warnings.push(obj) })
    await database.ping()
    const name = new URL(tdb.url).pathname.slice(1)
    const admin = new pg.Client({ connectionString: ADMIN_URL })
    await admin.connect()
    const { rowCount } = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
      [name],
    )
    await admin.end()
    expect(rowCount).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 300))
    expect(warnings.length).toBeGreaterThan(0)
    await database.ping()
    await database.close()
    await tdb.drop()
  })
})
