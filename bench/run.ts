import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as argon2 from 'argon2'
import autocannon from 'autocannon'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { loadConfig } from '../src/platform/config.js'
import { type Database, openDatabase } from '../src/platform/database/database.js'
import { migrateToLatest } from '../src/platform/database/migrations.js'
import type { DB } from '../src/platform/database/schema.js'
import { outboxRow } from '../src/platform/outbox.js'
import { seedAnalytics, timeAnalytics } from './analytics.js'
import { type LargeCounts, seedLarge } from './large.js'
import { BENCH_PASSWORD, type BenchData, seedBench } from './seed.js'

const here = dirname(fileURLToPath(import.meta.url))
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`)

interface Options {
  db: 'sqlite' | 'postgres'
  cache: 'memory' | 'redis'
  duration: number
  warmup: number
  connections: number
  travellers: number
  write: boolean
  /** Write a CPU profile of the server (node --cpu-prof) into this folder. */
  profile: string | undefined
  /** Only the scenarios whose name contains this. */
  only: string | undefined
  /** Bookings loaded for the admin-analytics timing (0: skip it). */
  analyticsBookings: number
  /** Pending bookings seeded for the payments scenario (each is paid once). */
  payable: number
  /** Events put into the outbox at once for the event-throughput figure (0: skip it). */
  events: number
  /** `large`: then load 100,000 trips, 1,000,000 bookings, 200,000 travellers and measure again. */
  scale: 'small' | 'large'
  /** What `large` loads (a hundredth with --quick, to prove it works). */
  largeCounts: LargeCounts
  pgAdmin: string
  redisUrl: string
}

export interface Figures {
  scenario: string
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  rssMb: number | null
  /** CPU time the server process spent per request (user + system, from /proc), µs. */
  cpuUs?: number
  /** CPU time all PostgreSQL processes spent per request, µs (PostgreSQL runs only). */
  dbCpuUs?: number
  floor?: string
  cpuRatio?: number
  ratio?: number
  p99Ratio?: number
  bar?: string
  met?: boolean
}

function parse(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string', default: 'sqlite' },
      cache: { type: 'string', default: 'memory' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      travellers: { type: 'string', default: '20000' },
      quick: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      profile: { type: 'string' },
      only: { type: 'string' },
      'analytics-bookings': { type: 'string', default: '100000' },
      payable: { type: 'string', default: '60000' },
      events: { type: 'string', default: '5000' },
      scale: { type: 'string', default: 'small' },
    },
  })
  const quick = values.quick
  if (values.db !== 'sqlite' && values.db !== 'postgres') throw new Error('--db is sqlite or postgres')
  if (values.cache !== 'memory' && values.cache !== 'redis') throw new Error('--cache is memory or redis')
  if (values.scale !== 'small' && values.scale !== 'large') throw new Error('--scale is small or large')
  return {
    db: values.db,
    cache: values.cache,
    duration: quick ? 1 : Number(values.duration),
    warmup: quick ? 0.5 : Number(values.warmup),
    connections: Number(values.connections),
    travellers: quick ? 1000 : Number(values.travellers),
    write: !values['no-write'],
    profile: values.profile,
    only: values.only,
    analyticsBookings: quick ? 5000 : Number(values['analytics-bookings']),
    payable: quick ? 5000 : Number(values.payable),
    events: quick ? 500 : Number(values.events),
    scale: values.scale,
    largeCounts: quick
      ? { trips: 1000, bookings: 10_000, travellers: 2000 }
      : { trips: 100_000, bookings: 1_000_000, travellers: 200_000 },
    pgAdmin: process.env.BENCH_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  }
}

async function scratchDatabase(o: Options): Promise<{ url: string; drop(): Promise<void> }> {
  if (o.db === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'travellr-bench-'))
    return {
      url: `sqlite:${join(dir, 'bench.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const name = `travellr_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: o.pgAdmin })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  await admin.end()
  return {
    url: `${o.pgAdmin.replace(/\/[^/]*$/, '')}/${name}`,
    async drop() {
      const c = new pg.Client({ connectionString: o.pgAdmin })
      await c.connect()
      await c.query(`drop database if exists "${name}" with (force)`)
      await c.end()
    },
  }
}

function start(
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: string,
  nodeFlags: string[] = [],
): Promise<ChildProcess> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [...nodeFlags, script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    })
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      if (out.includes(ready)) ok(child)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => fail(new Error(`${script} exited (${code}):\n${out}`)))
  })
}

const freePort = () => 20000 + Math.floor(Math.random() * 20000)

/** Peak RSS since the last reset, from /proc (Linux); null elsewhere. */
function peakRss(pid: number | undefined): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1])
    return Math.round((kb / 1024) * 10) / 10
  } catch {
    return null
  }
}

function resetPeakRss(pid: number | undefined) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
  } catch {
    // not Linux, or not allowed: the peak then covers the whole run
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS = 100

/** CPU time (ms) a process has used so far, from /proc/<pid>/stat; null elsewhere. `part`: user or system only. */
function cpuMs(pid: number | undefined, part?: 'user' | 'system'): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const user = Number(fields[11])
    const system = Number(fields[12])
    return ((part === 'user' ? user : part === 'system' ? system : user + system) * 1000) / TICKS
  } catch {
    return null
  }
}

/** CPU time (ms) used so far by each PostgreSQL process on this machine (its backends do the queries). */
function postgresCpuMs(): Map<number, number> {
  const used = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue
      used.set(Number(entry), cpuMs(Number(entry)) ?? 0)
    } catch {
      // gone meanwhile
    }
  }
  return used
}

/** PostgreSQL CPU (ms) spent between two readings: processes that ended meanwhile count up to the first. */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0
  for (const [pid, ms] of postgresCpuMs()) total += ms - (before.get(pid) ?? 0)
  return total
}

/** Waits until at most `left` due events are unhandled in the outbox (or `seconds` pass). */
async function waitForOutbox(db: Kysely<DB>, left: number, seconds: number) {
  const until = Date.now() + seconds * 1000
  while (Date.now() < until) {
    const row = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('processed_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('available_at', '<=', new Date().toISOString())
      .executeTakeFirstOrThrow()
    if (Number(row.n) <= left) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`the outbox did not drain within ${seconds} s`)
}

type Setup = (req: Record<string, unknown>) => Record<string, unknown>

async function load(url: string, o: Options, setup: Setup, seconds: number) {
  const result = await autocannon({
    url,
    connections: o.connections,
    duration: seconds,
    requests: [{ setupRequest: setup as never }],
  })
  return {
    rps: Math.round(result.requests.average),
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, (v as { count: number }).count]),
    ),
  }
}

async function argon2Floor(seconds: number, concurrency: number, hash: string): Promise<Figures> {
  let done = 0
  const until = Date.now() + seconds * 1000
  const started = performance.now()
  const cpu = process.cpuUsage()
  const latencies: number[] = []
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t = performance.now()
        await argon2.verify(hash, BENCH_PASSWORD)
        latencies.push(performance.now() - t)
        done++
      }
    }),
  )
  const used = process.cpuUsage(cpu)
  latencies.sort((a, b) => a - b)
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0)
  return {
    scenario: 'floor: raw argon2id verify',
    cpuUs: Math.round((used.user + used.system) / done),
    rps: Math.round(done / ((performance.now() - started) / 1000)),
    p50: at(0.5),
    p99: at(0.99),
    errors: 0,
    non2xx: 0,
    rssMb: null,
  }
}

function table(rows: Figures[]): string {
  const head = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'non-2xx',
    'peak RSS MB',
    'CPU µs/req',
    'DB CPU µs/req',
    'vs floor',
    'p99 vs floor',
    'CPU vs floor',
    'bar',
    'met',
  ]
  const body = rows.map((r) => [
    r.scenario,
    String(r.rps),
    String(r.p50),
    String(r.p99),
    String(r.errors),
    String(r.non2xx),
    r.rssMb === null ? '-' : String(r.rssMb),
    r.cpuUs === undefined ? '-' : String(r.cpuUs),
    r.dbCpuUs === undefined ? '-' : String(r.dbCpuUs),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)} × ${r.floor}`,
    r.p99Ratio === undefined ? '-' : `${r.p99Ratio.toFixed(2)}`,
    r.cpuRatio === undefined ? '-' : `${r.cpuRatio.toFixed(2)}`,
    r.bar ?? '-',
    r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n')
}

/** A text progress bar, 20 wide. */
function bar(share: number): string {
  const full = Math.round(Math.min(1, share) * 20)
  return `[${'#'.repeat(full)}${'.'.repeat(20 - full)}]`
}

/** Small catalogue against large, scenario by scenario: requests/s and CPU within 1.2×. */
function scaleTable(rows: { small: Figures; large: Figures }[]): string {
  const head = [
    'scenario',
    'small req/s',
    'large req/s',
    'large / small',
    'small CPU µs',
    'large CPU µs',
    'p99 small / large ms',
    'within 1.2×',
  ]
  const body = rows.map(({ small, large }) => {
    const ratio = large.rps / small.rps
    return [
      large.scenario,
      String(small.rps),
      String(large.rps),
      ratio.toFixed(2),
      String(small.cpuUs ?? '-'),
      String(large.cpuUs ?? '-'),
      `${small.p99} / ${large.p99}`,
      ratio >= 1 / 1.2 && large.errors === 0 ? 'yes' : 'NO',
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n')
}

function versions() {
  const read = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(here, '../../node_modules', name, 'package.json'), 'utf8'))
        .version as string
    } catch {
      return 'unknown'
    }
  }
  return Object.fromEntries(
    ['fastify', 'kysely', 'pg', 'better-sqlite3', 'argon2', 'autocannon'].map((n) => [n, read(n)]),
  )
}

export async function runBench(argv: string[]): Promise<Figures[]> {
  const o = parse(argv)
  log(
    `${o.db} + ${o.cache} cache, ${o.connections} connections, ${o.duration}s per scenario after ${o.warmup}s warm-up`,
  )
  const scratch = await scratchDatabase(o)
  const secret = randomBytes(48).toString('base64url')
  const env: Record<string, string> = {
    TRAVELLR_ENV: 'production',
    DATABASE_URL: scratch.url,
    JWT_SECRET: secret,
    SEED_DEMO: '0',
    LOG_LEVEL: 'warn',
    MAIL_DIR: join(tmpdir(), `travellr-bench-mail-${randomBytes(4).toString('hex')}`),
    HOLD_MINUTES: '120',
    // The load comes from one address: per-address limits would stop the bench, not measure it.
    REGISTRATIONS_PER_ADDRESS: '1000000',
    MAX_HELD_SEATS_PER_ADDRESS: '1000000',
    // Travellers book in turn across several scenarios: their hold limit is checked, never reached.
    MAX_HELD_SEATS: '1000',
    ...(o.cache === 'redis' && {
      REDIS_URL: o.redisUrl,
      REDIS_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
    }),
  }
  const config = loadConfig(env)
  const children: ChildProcess[] = []
  let watch: Database | undefined
  try {
    log('migrating and seeding the scratch database')
    const database = openDatabase(scratch.url)
    await migrateToLatest(database.db, database.dialect)
    const data: BenchData = await seedBench(database.db, config, {
      travellers: o.travellers,
      bookings: 1000,
      pending: Math.min(1000, o.travellers / 2),
      payable: o.payable,
    })
    const hash = (
      await database.db.selectFrom('users').select('password_hash').limit(1).executeTakeFirstOrThrow()
    ).password_hash!
    await database.close()

    const port = freePort()
    log('starting the service and the floors')
    const flags = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`] : []
    // Extra variables for the server only (e.g. BENCH_SERVER_ENV="MALLOC_ARENA_MAX=2"), to try settings.
    for (const pair of (process.env.BENCH_SERVER_ENV ?? '').split(' ').filter(Boolean)) {
      const [k, ...v] = pair.split('=')
      if (k) env[k] = v.join('=')
    }
    const server = await start(
      join(here, '../src/cli.js'),
      ['serve'],
      { ...env, PORT: String(port) },
      'Travellr is running',
      flags,
    )
    children.push(server)
    const bare = await start(join(here, 'floor-fastify.js'), [String(port + 1)], {}, 'floor listening')
    children.push(bare)
    const raw = await start(
      join(here, 'floor-booking.js'),
      [String(port + 2), scratch.url],
      {},
      'floor listening',
    )
    children.push(raw)
    const api = `http://127.0.0.1:${port}`

    let n = 0
    const next = () => n++
    const json = { 'content-type': 'application/json' }
    // A search the cache has not seen: each asks from another minute on, so the database pages it.
    const uncachedSearch = (locations: string[]) => ({
      name: 'GET /trips?location=…&from=… (uncached)',
      target: api,
      setup: (r: Record<string, unknown>) => {
        const i = next()
        const from = new Date(Date.now() + (i % 100_000) * 60_000).toISOString()
        return {
          ...r,
          method: 'GET',
          path: `/api/v1/trips?location=${encodeURIComponent(locations[i % locations.length]!)}&from=${encodeURIComponent(from)}`,
        }
      },
      floor: 'bare Fastify',
    })
    const bookOn = (name: string, tripOf: (i: number) => string) => ({
      name,
      target: api,
      setup: (r: Record<string, unknown>) => {
        // Each booking comes from the next traveller in turn: no traveller books many times at once
        // (which would only queue on their own row lock), and nearly every token is new to the
        // server, so the figure includes full JWT verification.
        const i = next()
        const t = data.travellers[i % data.travellers.length]!
        return {
          ...r,
          method: 'POST',
          path: '/api/v1/bookings',
          headers: { ...json, authorization: `Bearer ${t.token}` },
          body: JSON.stringify({ trip_id: tripOf(i), seats: 1 }),
        }
      },
      floor: 'raw booking',
    })
    const readBookings = (bookings: { id: string; token: string }[]) => ({
      name: 'GET /bookings/{id}',
      target: api,
      setup: (r: Record<string, unknown>) => {
        const b = bookings[next() % bookings.length]!
        return {
          ...r,
          method: 'GET',
          path: `/api/v1/bookings/${b.id}`,
          headers: { authorization: `Bearer ${b.token}` },
        }
      },
      floor: 'bare Fastify',
    })
    const scenarios: { name: string; target: string; setup: Setup; floor?: string }[] = [
      {
        name: 'GET /trips/{id} (cached)',
        target: api,
        setup: (r) => ({ ...r, method: 'GET', path: `/api/v1/trips/${data.tripIds[next() % 100]}` }),
        floor: 'bare Fastify',
      },
      {
        name: 'GET /trips?location=… (search)',
        target: api,
        setup: (r) => ({
          ...r,
          method: 'GET',
          path: `/api/v1/trips?location=${encodeURIComponent(data.locations[next() % data.locations.length]!)}`,
        }),
        floor: 'bare Fastify',
      },
      uncachedSearch(data.locations),
      readBookings(data.bookings),
      bookOn('POST /bookings', (i) => data.tripIds[i % 100]!),
      bookOn('POST /bookings (one hot trip)', () => data.tripIds[0]!),
      {
        name: 'PUT /bookings/{id} (seats)',
        target: api,
        setup: (r) => {
          // Pending bookings in turn, each going 1 → 2 seats on one round and 2 → 1 on the next: every
          // request locks the booking, passes or releases through the capacity and hold guards.
          const i = next()
          const b = data.pending[i % data.pending.length]!
          const seats = Math.floor(i / data.pending.length) % 2 === 0 ? 2 : 1
          return {
            ...r,
            method: 'PUT',
            path: `/api/v1/bookings/${b.id}`,
            headers: { ...json, authorization: `Bearer ${b.token}` },
            body: JSON.stringify({ seats }),
          }
        },
        floor: 'raw booking',
      },
      {
        name: 'POST /payments (mock gateway)',
        target: api,
        setup: (r) => {
          // Each request pays the next pending booking (its owner's token): the booking and payment
          // locked, the mock provider's charge, the booking confirmed, two events, in one settlement.
          const b = data.payable[next() % data.payable.length]!
          return {
            ...r,
            method: 'POST',
            path: '/api/v1/payments',
            headers: { ...json, authorization: `Bearer ${b.token}` },
            body: JSON.stringify({ booking_id: b.id, payment_method: 'pm_card_visa' }),
          }
        },
        floor: 'raw booking',
      },
      {
        name: 'POST /octo/bookings (reservation)',
        target: api,
        setup: (r) => {
          // A reseller's reservation: its key checked, the product and departure resolved, then the same
          // capacity and hold-limit guards as POST /bookings, a new uuid each time.
          const i = next()
          const d = data.octo.departures[i % data.octo.departures.length]!
          return {
            ...r,
            method: 'POST',
            path: '/octo/bookings',
            headers: { ...json, authorization: `Bearer ${data.octo.key}` },
            body: JSON.stringify({
              uuid: randomUUID(),
              productId: d.productId,
              optionId: 'DEFAULT',
              availabilityId: d.availabilityId,
              unitItems: [{ unitId: 'adult' }],
            }),
          }
        },
        floor: 'raw booking',
      },
      {
        name: 'POST /auth/login',
        target: api,
        setup: (r) => {
          const t = data.travellers[next() % data.travellers.length]!
          return {
            ...r,
            method: 'POST',
            path: '/api/v1/auth/login',
            headers: json,
            body: JSON.stringify({ email: t.email, password: BENCH_PASSWORD }),
          }
        },
        floor: 'raw argon2',
      },
    ]

    const results: Figures[] = []
    const measure = async (name: string, target: string, setup: Setup, pid?: number) => {
      if (o.warmup > 0) await load(target, o, setup, o.warmup)
      resetPeakRss(pid)
      log(`${name}: ${o.duration}s`)
      const cpuBefore = cpuMs(pid)
      const systemBefore = cpuMs(pid, 'system')
      const dbBefore = o.db === 'postgres' ? postgresCpuMs() : new Map<number, number>()
      const { statuses, total, ...f } = await load(target, o, setup, o.duration)
      const cpuAfter = cpuMs(pid)
      if (cpuAfter !== null && cpuBefore !== null && total > 0) {
        const system = (cpuMs(pid, 'system') ?? 0) - (systemBefore ?? 0)
        log(
          `${name}: ${total} requests, server CPU ${Math.round(((cpuAfter - cpuBefore) * 1000) / total)} µs each (kernel ${Math.round((system * 1000) / total)} µs)`,
        )
      }
      const dbMs = o.db === 'postgres' ? postgresCpuSince(dbBefore) : 0
      const unexpected = Object.keys(statuses).filter((s) => !s.startsWith('2'))
      if (unexpected.length > 0) log(`${name}: status codes ${JSON.stringify(statuses)}`)
      return {
        scenario: name,
        ...f,
        rssMb: peakRss(pid),
        ...(cpuBefore !== null &&
          cpuAfter !== null &&
          total > 0 && { cpuUs: Math.round(((cpuAfter - cpuBefore) * 1000) / total) }),
        ...(o.db === 'postgres' && total > 0 && { dbCpuUs: Math.round((dbMs * 1000) / total) }),
      } as Figures
    }

    const floors: Record<string, Figures> = {}
    floors['bare Fastify'] = await measure(
      'floor: bare Fastify',
      `http://127.0.0.1:${port + 1}`,
      (r) => ({ ...r, method: 'GET', path: '/' }),
      bare.pid,
    )
    let floorUser = 0
    floors['raw booking'] = await measure(
      'floor: raw-driver booking',
      `http://127.0.0.1:${port + 2}`,
      (r) => {
        const i = floorUser++
        const body = JSON.stringify({ trip_id: data.floorTripIds[i % 100], seats: 1 })
        return { ...r, method: 'POST', path: '/', headers: { ...json, 'x-user-id': data.floorUserId }, body }
      },
      raw.pid,
    )
    log(`floor: raw argon2id verify: ${o.duration}s`)
    floors['raw argon2'] = await argon2Floor(o.duration, o.connections, hash)
    results.push(floors['bare Fastify'], floors['raw booking'], floors['raw argon2'])

    const bars: Record<string, { ratio: number; p99?: number }> = {
      'GET /trips/{id} (cached)': { ratio: 0.5 },
      'GET /bookings/{id}': { ratio: 0.3 },
      'POST /bookings': { ratio: o.db === 'postgres' ? 0.8 : 0.6, p99: 1.5 },
      'PUT /bookings/{id} (seats)': { ratio: 0.5 },
      'POST /auth/login': { ratio: 0.8 },
    }
    watch = openDatabase(scratch.url)
    const runScenarios = async (list: typeof scenarios): Promise<Figures[]> => {
      const measured: Figures[] = []
      for (const s of list) {
        // The events of the scenario before are the worker's to deliver, not this scenario's cost.
        await waitForOutbox(watch!.db, 0, 600)
        const f = await measure(s.name, s.target, s.setup, server.pid)
        const floor = s.floor ? floors[s.floor] : undefined
        if (floor) {
          f.floor = s.floor
          f.ratio = f.rps / floor.rps
          f.p99Ratio = floor.p99 > 0 ? f.p99 / floor.p99 : undefined
          if (f.cpuUs !== undefined && floor.cpuUs) f.cpuRatio = f.cpuUs / floor.cpuUs
          const bar = bars[s.name]
          if (bar) {
            f.bar = `≥ ${bar.ratio}×${bar.p99 ? `, p99 ≤ ${bar.p99}×` : ''}, RSS < 200 MB`
            f.met =
              f.ratio >= bar.ratio &&
              (bar.p99 === undefined || (f.p99Ratio ?? 0) <= bar.p99) &&
              f.errors === 0 &&
              f.non2xx === 0 &&
              (f.rssMb === null || f.rssMb < 200)
          }
        }
        measured.push(f)
      }
      return measured
    }
    results.push(...(await runScenarios(scenarios.filter((x) => !o.only || x.name.includes(o.only)))))

    // End-to-end events: copies of real `booking.confirmed` events (two mails each) put into the outbox
    // in one transaction; the figure is how fast the server's worker handles them all (outbox → handler
    // → mail file → processed).
    let events: { count: number; seconds: number } | undefined
    if (o.events > 0 && !o.only) {
      const db = openDatabase(scratch.url)
      const samples = await db.db
        .selectFrom('outbox')
        .select(['aggregate_id', 'payload'])
        .where('type', '=', 'booking.confirmed')
        .limit(1000)
        .execute()
      if (samples.length > 0) {
        log(`events: ${o.events} booking.confirmed into the outbox`)
        await waitForOutbox(db.db, 0, 120)
        const now = new Date()
        const rows = Array.from({ length: o.events }, (_, i) => {
          const sample = samples[i % samples.length]!
          return outboxRow(
            {
              type: 'booking.confirmed',
              aggregateId: sample.aggregate_id,
              payload: JSON.parse(sample.payload),
            },
            now,
          )
        })
        const started = performance.now()
        await db.db.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += 500)
            await trx
              .insertInto('outbox')
              .values(rows.slice(i, i + 500))
              .execute()
        })
        await waitForOutbox(db.db, 0, 600)
        events = { count: o.events, seconds: (performance.now() - started) / 1000 }
      }
      await db.close()
    }

    // Admin analytics over a large history: each question new to the cache, so the database sums it.
    let analytics: { bookings: number; medianMs: number; slowestMs: number } | undefined
    if (o.analyticsBookings > 0 && (!o.only || 'GET /admin/analytics'.includes(o.only))) {
      const db = openDatabase(scratch.url)
      let shown = -1
      const token = await seedAnalytics(
        db.db,
        config,
        data.tripIds,
        data.travellers[0]!.id,
        o.analyticsBookings,
        (done, total) => {
          const pct = Math.floor((done / total) * 100)
          if (pct >= shown + 10 || done === total) {
            shown = pct
            log(`analytics: loaded ${done} of ${total} bookings (${pct}%)`)
          }
        },
      )
      await db.close()
      const times = (await timeAnalytics(api, token, 10)).sort((a, b) => a - b)
      analytics = {
        bookings: o.analyticsBookings,
        medianMs: Math.round(times[Math.floor(times.length / 2)]!),
        slowestMs: Math.round(times[times.length - 1]!),
      }
    }

    // How cost grows with work: the same reads and writes over a catalogue a thousand times larger.
    let large: { small: Figures; large: Figures }[] | undefined
    if (o.scale === 'large') {
      const db = openDatabase(scratch.url)
      let shown = ''
      const started = performance.now()
      const big = await seedLarge(db.db, data, o.largeCounts, (what, done, total) => {
        const line = `large catalogue: ${what} ${bar(done / total)} ${done}/${total}`
        if (line === shown) return
        shown = line
        log(line)
      })
      await db.close()
      log(`large catalogue loaded in ${Math.round((performance.now() - started) / 1000)} s`)
      const again = await runScenarios([
        scenarios.find((x) => x.name.startsWith('GET /trips?location=… (search)'))!,
        uncachedSearch(data.locations),
        {
          name: 'GET /trips/{id} (cached)',
          target: api,
          setup: (r) => ({ ...r, method: 'GET', path: `/api/v1/trips/${big.tripIds[next() % 1000]}` }),
          floor: 'bare Fastify',
        },
        readBookings(big.bookings),
        bookOn('POST /bookings', (i) => big.tripIds[(i * 7) % big.tripIds.length]!),
        bookOn('POST /bookings (one hot trip)', () => big.hotTripId),
      ])
      large = again.map((f) => ({ small: results.find((r) => r.scenario === f.scenario)!, large: f }))
    }

    const header = `Travellr bench — ${new Date().toISOString()} — ${o.db} + ${o.cache} cache — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB — node ${process.version}`
    process.stdout.write(`\n${header}\n\n${table(results)}\n\n`)
    if (large) {
      const { trips, bookings, travellers } = o.largeCounts
      process.stdout.write(
        `Large catalogue (${trips} trips, ${bookings} bookings, ${travellers} travellers) against the small one:\n\n${scaleTable(large)}\n\n`,
      )
    }
    if (events)
      process.stdout.write(
        `Events, outbox to handled (${events.count} booking.confirmed, 2 mails each): ${Math.round(events.count / events.seconds)} events/s (${events.seconds.toFixed(1)} s)\n\n`,
      )
    if (analytics)
      process.stdout.write(
        `GET /admin/analytics (${analytics.bookings} bookings, 90 days by day, uncached): median ${analytics.medianMs} ms, slowest ${analytics.slowestMs} ms of 10\n\n`,
      )
    if (o.write) {
      const dir = join(here, '../../bench/results')
      mkdirSync(dir, { recursive: true })
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${o.db}.json`)
      writeFileSync(
        file,
        `${JSON.stringify({ date: new Date().toISOString(), options: o, machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform }, versions: versions(), results, large, events, analytics }, null, 2)}\n`,
      )
      log(`results written to ${file}`)
    }
    return results
  } finally {
    await watch?.close()
    for (const c of children) c.kill('SIGTERM')
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
    )
    await scratch.drop()
  }
}
