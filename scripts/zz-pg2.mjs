import pg from 'pg'
import { seedBench } from '/work/main/dist/bench/seed.js'
import { createBooking } from '/work/main/dist/src/modules/bookings/index.js'
import { createMemoryCache } from '/work/main/dist/src/platform/cache/memory-cache.js'
import { loadConfig } from '/work/main/dist/src/platform/config.js'
import { openDatabase } from '/work/main/dist/src/platform/database/database.js'
import { migrateToLatest } from '/work/main/dist/src/platform/database/migrations.js'
import { systemClock } from '/work/main/dist/src/shared/clock.js'

const admin = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres')
await admin.connect()
await admin.query('drop database if exists zz_uc')
await admin.query('create database zz_uc')
await admin.end()
const url = 'postgres://postgres@127.0.0.1:5432/zz_uc'
const config = loadConfig({
  JWT_SECRET: 'q8Jv2mX9pL4sT7wZ1cR5nB3hF6kD0gYaEuIoPxVbNm',
  DATA_DIR: '/tmp/uc',
  DATABASE_URL: url,
})
const d = openDatabase(url)
await migrateToLatest(d.db, d.dialect)
const data = await seedBench(d.db, config, { travellers: 3000, bookings: 10 })
// Log every statement Kysely sends, with its time.
const times = new Map()
const logged = d.db.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => a.result })
const { Kysely, PostgresDialect } = await import('kysely')
const pool = new pg.Pool({ connectionString: url, max: 10 })
const db = new Kysely({
  dialect: new PostgresDialect({ pool }),
  log: (e) => {
    const k = e.query.sql.slice(0, 50)
    const t = times.get(k) ?? [0, 0]
    t[0] += e.queryDurationMillis
    t[1]++
    times.set(k, t)
  },
})
const deps = { db, clock: systemClock, cache: createMemoryCache(), holdMinutes: 60, maxHeldSeats: 10 }
for (let i = 0; i < 1500; i++) {
  const tr = data.travellers[i % data.travellers.length]
  await createBooking(
    deps,
    { userId: tr.id, role: 'traveler', sessionId: 's' },
    { tripId: data.tripIds[i % 100], seats: 1 },
  )
}
for (const [k, [ms, n]] of times) console.log(`${((ms * 1000) / n).toFixed(0).padStart(6)} µs x${n}  ${k}`)
const c = await pool.connect()
const t0 = performance.now()
for (let i = 0; i < 500; i++) await c.query('select 1')
console.log(`select 1 round trip: ${(((performance.now() - t0) * 1000) / 500).toFixed(0)} µs`)
c.release()
await db.destroy()
await d.close()
const a2 = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres')
await a2.connect()
await a2.query('drop database zz_uc with (force)')
await a2.end()
