#!/usr/bin/env node
import { type ParseArgsConfig, parseArgs } from 'node:util'

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>

import { buildApp } from './app.js'
import { buildContainer, type Container, migrate } from './container.js'
import { compileMonthlyReport, mailMonthlyReport, previousMonth } from './modules/admin/index.js'
import { reconcilePayments } from './modules/payments/index.js'
import { type PayoutRun, runPayouts } from './modules/payouts/index.js'
import { createAdmin } from './modules/users/index.js'
import { ConfigError, loadConfigFromEnvironment } from './platform/config.js'
import { serveWorkerOps } from './platform/queue/worker-ops.js'
import { isCommonPassword } from './platform/security/common-passwords.js'
import { DEMO_ACCOUNTS, seedDemo } from './seed.js'
import { startWorker } from './worker.js'

const COMMANDS: Record<string, { usage: string; about: string }> = {
  serve: { usage: 'serve', about: 'migrate, seed demo data on first start, run the API' },
  worker: {
    usage: 'worker',
    about: 'deliver events and run the schedules (with REDIS_URL: BullMQ; start as many as you like)',
  },
  migrate: { usage: 'migrate', about: 'bring the database schema up to date' },
  seed: { usage: 'seed', about: 'seed demo data into an empty database' },
  admin: { usage: 'admin create --email E --password P', about: 'create an admin account' },
  payments: {
    usage: 'payments reconcile [--quiet-seconds N]',
    about:
      'settle payments and refunds a crash or a timeout left in flight (asks the provider again, same keys)',
  },
  payouts: {
    usage: 'payouts run --period weekly|monthly [--dry-run] [--at DATE]',
    about: 'pay every approved vendor on that schedule for the last closed period (at DATE, default now)',
  },
  report: {
    usage: 'report monthly [--month YYYY-MM] [--send]',
    about: 'print a month’s figures (default: the last closed month); --send mails them to the admins, once',
  },
  bench: {
    usage:
      'bench [--db sqlite|postgres] [--cache memory|redis] [--duration S] [--warmup S] [--connections N]\n' +
      '                   [--travellers N] [--quick] [--no-write] [--only TEXT] [--profile DIR] [--analytics-bookings N]',
    about: 'load the real server and its floors, print the table',
  },
}

const USAGE = `Usage: travellr <command> [--help]

${Object.values(COMMANDS)
  .map(
    (c) => `  ${(c.usage.length > 38 ? `${c.usage.split(' ')[0]} [options]` : c.usage).padEnd(40)}${c.about}`,
  )
  .join('\n')}
`

const usageOf = (command: string) =>
  `Usage: travellr ${COMMANDS[command]!.usage}\n\n  ${COMMANDS[command]!.about}\n`

/** A wrong option is one line that says what is wrong and where the usage is, not a stack trace. */
class UsageError extends Error {
  constructor(command: string, err: Error) {
    const what = err.message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '')
    super(`travellr ${command}: ${what} (see travellr ${command} --help)`)
  }
}

function options<O extends ParseArgsOptionsConfig>(command: string, args: string[], spec: O) {
  try {
    return parseArgs({ args, options: spec, allowPositionals: true as const, strict: true as const })
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(command, err as Error)
    throw err
  }
}

const config = loadConfigFromEnvironment

/** The payout run as a table: one line per vendor and currency, then totals by currency and outcome. */
function payoutSummary(run: PayoutRun): string {
  const money = (n: number) => (n / 100).toFixed(2)
  const lines = [
    `Payouts ${run.period.name} (${run.period.start} to ${run.period.end})${run.dryRun ? ' — dry run, nothing written' : ''}`,
    '',
    `${'vendor'.padEnd(32)}${'currency'.padEnd(10)}${'outcome'.padEnd(14)}${'amount'.padStart(14)}  reason`,
  ]
  const totals = new Map<string, number>()
  for (const o of run.outcomes) {
    const amount = o.result === 'carried' ? o.amount : o.payout.amount
    const reason = o.result === 'carried' ? o.reason : (o.payout.reason ?? '')
    lines.push(
      `${o.vendorId.padEnd(32)}${o.currency.padEnd(10)}${o.result.padEnd(14)}${money(amount).padStart(14)}  ${reason}`,
    )
    const key = `${o.currency} ${o.result}`
    totals.set(key, (totals.get(key) ?? 0) + amount)
  }
  lines.push('', 'Totals:')
  for (const [key, total] of [...totals].sort()) lines.push(`  ${key.padEnd(24)}${money(total).padStart(14)}`)
  if (run.outcomes.length === 0) lines.push('  nothing to pay')
  return lines.join('\n')
}

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
  // The embedded default delivers events and runs schedules here; with Redis, `travellr worker` does.
  const worker = c.queue.kind === 'in-process' ? await startWorker(c) : undefined
  const base = `http://${c.config.host}:${c.config.port}`
  console.log(`\nTravellr is running at ${base}/api/v1`)
  console.log(`  API docs:  ${base}/docs   (OpenAPI: ${base}/openapi.json)`)
  console.log(`  Health:    ${base}/health   Ready: ${base}/ready`)
  console.log(`  Admin:     ${base}/admin   (the dashboard: sign in as an admin)`)
  console.log(`  Database:  ${c.database.dialect}   Cache: ${c.cache.kind}   Mail: ${c.mailer.kind}`)
  console.log(
    worker
      ? '  Events and schedules run in this process.'
      : '  Events and schedules: start `travellr worker` (one or more) beside the API.',
  )
  if (c.config.seedDemo) {
    console.log(seeded ? '  Demo data seeded. Demo logins:' : '  Demo logins:')
    for (const a of DEMO_ACCOUNTS) console.log(`    ${a.role.padEnd(9)} ${a.email} / ${a.password}`)
    if (seeded)
      console.log(`    reseller  OCTO API ${base}/octo, key (shown this once): ${seeded.resellerKey}`)
  }
  console.log('')
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    c.log.info({ signal }, 'shutting down')
    // Whatever is still running after 25 s is cut (an orchestrator's kill follows soon after anyway).
    setTimeout(() => process.exit(1), 25_000).unref()
    await app.close()
    await worker?.stop()
    await c.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** `travellr worker`: the relay, the consumers and the schedules; /health and /metrics on WORKER_PORT. */
async function work(): Promise<void> {
  const c = buildContainer(config())
  await migrate(c)
  const worker = await startWorker(c)
  const ops =
    c.config.workerPort > 0 ? await serveWorkerOps(c.queue, c.config.host, c.config.workerPort) : undefined
  console.log(
    `Travellr worker running (${c.queue.kind}, database ${c.database.dialect}, mail ${c.mailer.kind}).`,
  )
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    c.log.info({ signal }, 'worker shutting down')
    ops?.close()
    await worker.stop()
    await c.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command !== undefined && COMMANDS[command] && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(usageOf(command))
    return 0
  }
  if (
    command !== undefined &&
    COMMANDS[command] &&
    !['admin', 'payments', 'payouts', 'report', 'bench'].includes(command)
  )
    options(command, rest, {})
  switch (command) {
    case 'serve':
      await serve()
      return -1 // keeps running
    case 'worker':
      await work()
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
        const seeded = await seedDemo(c)
        console.log(
          seeded
            ? `Demo data seeded. The demo reseller's OCTO key (shown this once): ${seeded.resellerKey}`
            : 'The database has data already; nothing seeded.',
        )
        return 0
      })
    case 'admin': {
      const { values, positionals } = options('admin', rest, {
        email: { type: 'string' },
        password: { type: 'string' },
      })
      if (positionals[0] !== 'create' || !values.email || !values.password) {
        console.error(usageOf('admin'))
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
    case 'payments': {
      const { values, positionals } = options('payments', rest, { 'quiet-seconds': { type: 'string' } })
      const quiet = Number(values['quiet-seconds'] ?? '60')
      if (positionals[0] !== 'reconcile' || !Number.isInteger(quiet) || quiet < 0) {
        console.error(usageOf('payments'))
        return 2
      }
      return withContainer(async (c) => {
        await migrate(c)
        const done = await reconcilePayments(c, { quietSeconds: quiet })
        console.log(`Settled ${done.payments} payments and ${done.refunds} refunds.`)
        return 0
      })
    }
    case 'payouts': {
      const { values, positionals } = options('payouts', rest, {
        period: { type: 'string' },
        'dry-run': { type: 'boolean' },
        at: { type: 'string' },
      })
      const at = values.at === undefined ? undefined : new Date(values.at)
      if (
        positionals[0] !== 'run' ||
        (values.period !== 'weekly' && values.period !== 'monthly') ||
        (at !== undefined && Number.isNaN(at.getTime()))
      ) {
        console.error(usageOf('payouts'))
        return 2
      }
      return withContainer(async (c) => {
        await migrate(c)
        const run = await runPayouts(c, {
          kind: values.period as 'weekly' | 'monthly',
          at,
          dryRun: values['dry-run'],
          onProgress: (done, total) => {
            const width = 30
            const filled = Math.round((done / Math.max(total, 1)) * width)
            process.stderr.write(
              `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} vendors`,
            )
          },
        })
        process.stderr.write('\n')
        console.log(payoutSummary(run))
        return run.outcomes.some((o) => o.result === 'failed') ? 1 : 0
      })
    }
    case 'report': {
      const { values, positionals } = options('report', rest, {
        month: { type: 'string' },
        send: { type: 'boolean' },
      })
      if (
        positionals[0] !== 'monthly' ||
        (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month))
      ) {
        console.error(usageOf('report'))
        return 2
      }
      return withContainer(async (c) => {
        await migrate(c)
        const month = values.month ?? previousMonth(c.clock.now())
        const report = await compileMonthlyReport(c, month)
        console.log(JSON.stringify(report, null, 2))
        if (values.send)
          console.log(
            `Mailed to ${(await mailMonthlyReport(c, month)).sent} admins (each admin once per month).`,
          )
        return 0
      })
    }
    case 'bench': {
      // The benchmark ships in the build but uses dev dependencies (autocannon).
      const { runBench } = await import('../bench/run.js')
      try {
        await runBench(rest)
      } catch (err) {
        const code = (err as { code?: string }).code ?? ''
        if (code.startsWith('ERR_PARSE_ARGS') || (err as Error).message.startsWith('--'))
          throw new UsageError('bench', err as Error)
        throw err
      }
      return 0
    }
    default:
      if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
        console.log(USAGE)
        return 0
      }
      console.error(`travellr: unknown command '${command}' (see travellr --help)`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err) => {
    if (err instanceof UsageError) {
      console.error(err.message)
      process.exit(2)
    }
    if (err instanceof UsageError) console.error(err.message)
    else if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`)
    else console.error(err instanceof Error ? (err.stack ?? err.message) : err)
    process.exit(1)
  },
)
