#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { buildApp } from './app.js'
import { buildContainer, type Container, migrate } from './container.js'
import { createAdmin } from './modules/users/index.js'
import { ConfigError, loadConfigFromEnvironment } from './platform/config.js'
import { isCommonPassword } from './platform/security/common-passwords.js'
import { DEMO_ACCOUNTS, seedDemo } from './seed.js'

const USAGE = `Usage: travellr <command>

  serve                                   migrate, seed demo data on first start, run the API
  migrate                                 bring the database schema up to date
  seed                                    seed demo data into an empty database
  admin create --email E --password P     create an admin account
  bench [--db sqlite|postgres] [--cache memory|redis] [--duration S] [--quick]
                                          load the real server and its floors, print the table
`

const config = loadConfigFromEnvironment

async function withContainer<T>(run: (c: Container) => Promise<T>): Promise<T> {
  const c = buildContainer(config())
  try {
    return await run(c)
  } finally {
    await c.close()
  }
}

async function serve(): Promise<void> {
  const c = buildContainer(config())
  const applied = await migrate(c)
  if (applied.length > 0) c.log.info({ migrations: applied }, 'database migrated')
  const seeded = c.config.seedDemo && (await seedDemo(c))
  const app = await buildApp(c)
  await app.listen({ host: c.config.host, port: c.config.port })
  const base = `http://${c.config.host}:${c.config.port}`
  console.log(`\nTravellr is running at ${base}/api/v1`)
  console.log(`  API docs:  ${base}/docs   (OpenAPI: ${base}/openapi.json)`)
  console.log(`  Health:    ${base}/health   Ready: ${base}/ready`)
  console.log(`  Database:  ${c.database.dialect}   Cache: ${c.cache.kind}`)
  if (c.config.seedDemo) {
    console.log(seeded ? '  Demo data seeded. Demo logins:' : '  Demo logins:')
    for (const a of DEMO_ACCOUNTS) console.log(`    ${a.role.padEnd(9)} ${a.email} / ${a.password}`)
  }
  console.log('')
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    c.log.info({ signal }, 'shutting down')
    await app.close()
    await c.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'serve':
      await serve()
      return -1 // keeps running
    case 'migrate':
      return withContainer(async (c) => {
        const applied = await migrate(c)
        console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
        return 0
      })
    case 'seed':
      return withContainer(async (c) => {
        await migrate(c)
        console.log(
          (await seedDemo(c)) ? 'Demo data seeded.' : 'The database has data already; nothing seeded.',
        )
        return 0
      })
    case 'admin': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { email: { type: 'string' }, password: { type: 'string' } },
        allowPositionals: true,
      })
      if (positionals[0] !== 'create' || !values.email || !values.password) {
        console.error(USAGE)
        return 2
      }
      return withContainer(async (c) => {
        await migrate(c)
        const user = await createAdmin(
          { ...c, isCommonPassword },
          { email: values.email!, password: values.password!, name: 'Administrator' },
        )
        console.log(`Admin ${user.email} created (${user.id}).`)
        return 0
      })
    }
    case 'bench': {
      // The benchmark ships in the build but uses dev dependencies (autocannon).
      const { runBench } = await import('../bench/run.js')
      await runBench(rest)
      return 0
    }
    default:
      console.error(USAGE)
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err) => {
    if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`)
    else console.error(err instanceof Error ? (err.stack ?? err.message) : err)
    process.exit(1)
  },
)
