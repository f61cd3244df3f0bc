import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { inject } from 'vitest'
import { buildApp } from '../../src/app.js'
import { buildContainer, type Container, type ContainerOverrides, migrate } from '../../src/container.js'
import { type Config, loadConfig } from '../../src/platform/config.js'
import { type Database, type Dialect, openDatabase } from '../../src/platform/database/database.js'
import { migrateToLatest } from '../../src/platform/database/migrations.js'
import { watchContract } from './contract.js'
import { ADMIN_URL, PG_BASE, REDIS_URL } from './services.js'

export interface Stack {
  name: string
  dialect: Dialect
  cache: 'memory' | 'redis'
}

const ALL: Stack[] = [
  { name: 'sqlite + memory cache', dialect: 'sqlite', cache: 'memory' },
  { name: 'postgres + redis', dialect: 'postgres', cache: 'redis' },
]

/** Every stack, or those named in TEST_STACKS (sqlite, postgres) for a quicker local loop. */
export const stacks: Stack[] = ALL.filter(
  (s) => !process.env.TEST_STACKS || process.env.TEST_STACKS.split(',').includes(s.dialect),
)
export const dialects: Dialect[] = stacks.map((s) => s.dialect)

const secret = randomBytes(48).toString('base64url')

export interface TestDatabase {
  url: string
  drop(): Promise<void>
}

/** A fresh, empty database of its own for one test file. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'travellr-test-'))
    return {
      url: `sqlite:${join(dir, 'test.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const name = `travellr_t_${inject('runId')}_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`create database "${name}"`)
  await admin.end()
  return {
    url: `${PG_BASE}/${name}`,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL })
      await c.connect()
      await c.query(`drop database if exists "${name}" with (force)`)
      await c.end()
    },
  }
}

/** A fresh database of its own, migrated and open; `close()` closes and drops it. */
export async function givenMigratedDatabase(dialect: Dialect): Promise<Database & { drop(): Promise<void> }> {
  const tdb = await createTestDatabase(dialect)
  const database = openDatabase(tdb.url)
  await migrateToLatest(database.db, dialect)
  return {
    ...database,
    async drop() {
      await database.close()
      await tdb.drop()
    },
  }
}

export function testConfig(
  stack: Stack,
  databaseUrl: string,
  redisPrefix: string,
  extra: Record<string, string> = {},
): Config {
  return loadConfig({
    TRAVELLR_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: stack.cache === 'redis' ? REDIS_URL : undefined,
    REDIS_PREFIX: redisPrefix,
    JWT_SECRET: secret,
    DATA_DIR: join(tmpdir(), 'travellr-test-data'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Every request of a test comes from one address: the per-address limits get tests of their own.
    REGISTRATIONS_PER_ADDRESS: '1000000',
    MAX_HELD_SEATS_PER_ADDRESS: '1000000',
    ...extra,
  })
}

export interface TestEnv {
  stack: Stack
  c: Container
  app: FastifyInstance
  database: TestDatabase
  redisPrefix: string
  /** A second API instance on the same database and cache, as a second process behind a load balancer would be. */
  secondInstance(): Promise<{ c: Container; app: FastifyInstance }>
  close(): Promise<void>
}

export async function givenApp(
  stack: Stack,
  overrides: ContainerOverrides = {},
  env: Record<string, string> = {},
): Promise<TestEnv> {
  const database = await createTestDatabase(stack.dialect)
  const redisPrefix = `t:${inject('runId')}:${randomBytes(4).toString('hex')}:`
  const config = testConfig(stack, database.url, redisPrefix, env)
  const c = buildContainer(config, overrides)
  await migrate(c)
  const app = await buildApp(c)
  const contract = watchContract(app)
  const others: { c: Container; app: FastifyInstance }[] = []
  return {
    stack,
    c,
    app,
    database,
    redisPrefix,
    async secondInstance() {
      const c2 = buildContainer(config, { clock: overrides.clock })
      const app2 = await buildApp(c2)
      others.push({ c: c2, app: app2 })
      return { c: c2, app: app2 }
    },
    async close() {
      const broken = app.hasPlugin('@fastify/swagger') ? contract.violations() : []
      for (const o of others) {
        await o.app.close()
        await o.c.close()
      }
      await app.close()
      await c.close()
      await database.drop()
      if (broken.length > 0)
        throw new Error(`responses outside the OpenAPI document:\n  ${broken.join('\n  ')}`)
    },
  }
}
