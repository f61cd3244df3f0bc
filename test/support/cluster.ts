import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import type { Dialect } from '../../src/platform/database/database.js'
import { STRONG_PASSWORD, uniqueEmail } from './builders.js'
import { buildCli, call, type Server, startServer } from './processes.js'
import { REDIS_URL } from './services.js'
import { createTestDatabase, type TestDatabase } from './stacks.js'

export interface Cluster {
  dialect: Dialect
  /** The built CLI and the environment both processes run with, to start more or run commands. */
  cli: string
  env: Record<string, string>
  /** The running processes; a drill may kill one or add one (stop() ends them all). */
  servers: Server[]
  database: TestDatabase
  /** Base URLs of the two API processes. */
  one: string
  two: string
  /** A vendor's token, approved by an admin, and its vendor id. */
  vendorToken: string
  vendorId: string
  /** The admin's token (the admin the CLI made). */
  adminToken: string
  /** A published trip of that vendor, departing in 30 days. */
  givenTrip(capacity: number): Promise<string>
  /** Registered travellers' tokens and ids, alternating between the two processes. */
  givenTravellers(count: number): Promise<{ id: string; token: string }[]>
  stop(): Promise<void>
}

/**
 * Two real `travellr serve` processes on one fresh database (and, on PostgreSQL, one Redis unless
 * `redis: false`), the way two instances behind a load balancer share them; an admin made by the CLI
 * approves one vendor. `database` puts them on a database of the caller's (dropped by stop()).
 */
export async function givenTwoApiProcesses(
  dialect: Dialect,
  extraEnv: Record<string, string> = {},
  options: { database?: TestDatabase; redis?: boolean } = {},
): Promise<Cluster> {
  const build = buildCli()
  const database = options.database ?? (await createTestDatabase(dialect))
  const env = {
    TRAVELLR_ENV: 'development',
    DATABASE_URL: database.url,
    JWT_SECRET: randomBytes(48).toString('base64url'),
    SEED_DEMO: '0',
    REGISTRATIONS_PER_ADDRESS: '1000000',
    MAX_HELD_SEATS_PER_ADDRESS: '1000000',
    // Mail from in-process delivery (SQLite) goes to a scratch folder, not the repository's data/.
    MAIL_DIR: join(tmpdir(), `travellr-drill-mail-${randomBytes(4).toString('hex')}`),
    ...(dialect === 'postgres' &&
      options.redis !== false && { REDIS_URL, REDIS_PREFIX: `t:${inject('runId')}:drill:` }),
    ...extraEnv,
  }
  const adminEmail = uniqueEmail('admin')
  execFileSync(
    process.execPath,
    [build.cli, 'admin', 'create', '--email', adminEmail, '--password', STRONG_PASSWORD],
    { env: { PATH: process.env.PATH ?? '', ...env } },
  )
  const servers: Server[] = []
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()))
    build.remove()
    await database.drop()
  }
  try {
    servers.push(...(await Promise.all([startServer(build.cli, env), startServer(build.cli, env)])))
  } catch (err) {
    await stop()
    throw err
  }
  const [one, two] = servers.map((s) => s.base) as [string, string]
  const admin = (await call(one, 'POST', '/auth/login', { email: adminEmail, password: STRONG_PASSWORD }))
    .body.access_token
  const vendorEmail = uniqueEmail('vendor')
  const vendor = await call(one, 'POST', '/vendors/register', {
    email: vendorEmail,
    password: STRONG_PASSWORD,
    name: 'Drill Vendor',
    business_name: 'Drill Tours',
    phone: '+351 912 000 000',
  })
  await call(two, 'POST', `/admin/vendors/${vendor.body.id}/approve`, undefined, admin)
  const vendorToken = (
    await call(two, 'POST', '/vendors/login', { email: vendorEmail, password: STRONG_PASSWORD })
  ).body.access_token
  return {
    dialect,
    cli: build.cli,
    env,
    servers,
    database,
    one,
    two,
    vendorToken,
    vendorId: vendor.body.id,
    adminToken: admin,
    async givenTrip(capacity) {
      const starts = Date.now() + 30 * 86_400_000
      const trip = await call(
        one,
        'POST',
        '/trips',
        {
          title: 'Drill trip',
          description: '',
          location: 'Loopback',
          starts_at: new Date(starts).toISOString(),
          ends_at: new Date(starts + 3_600_000).toISOString(),
          timezone: 'UTC',
          price: { amount: 1000, currency: 'USD' },
          capacity,
        },
        vendorToken,
      )
      if (trip.status !== 201) throw new Error(`trip not created: ${JSON.stringify(trip.body)}`)
      return trip.body.id as string
    },
    givenTravellers(count) {
      return Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const r = await call(i % 2 ? one : two, 'POST', '/auth/register', {
            email: uniqueEmail('t'),
            password: STRONG_PASSWORD,
            name: 'T',
          })
          return { id: r.body.user.id as string, token: r.body.access_token as string }
        }),
      )
    },
    stop,
  }
}
