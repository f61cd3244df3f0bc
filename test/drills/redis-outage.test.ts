import { afterAll, describe, expect, it } from 'vitest'
import { notificationHandlers } from '../../src/modules/notifications/index.js'
import { openDatabase } from '../../src/platform/database/database.js'
import { STRONG_PASSWORD, uniqueEmail } from '../support/builders.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { startPrivateRedis } from '../support/private-redis.js'
import { type Server, startWorkerProcess } from '../support/processes.js'
import { startSmtp, type TestSmtp } from '../support/smtp.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill: Redis (cache, throttles, queues) frozen with SIGSTOP under load. The API keeps answering
 * bookings and reads from the database without a 5xx, events wait in the outbox, and after SIGCONT
 * every one is delivered. `npm run drill:redis` freezes it for 60 s; `npm test` for a few seconds.
 */
const STOP_SECONDS = Number(process.env.DRILL_REDIS_STOP_SECONDS ?? 6)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.runIf(dialects.includes('postgres'))('redis frozen under load (postgres + its own redis)', () => {
  let smtp: TestSmtp
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  let cluster: Cluster
  let worker: Server
  afterAll(async () => {
    await worker?.stop()
    await cluster?.stop()
    await redis?.stop()
    await smtp?.close()
  })

  it(`when Redis is stopped for ${STOP_SECONDS} s, then bookings and reads go on without 5xx and every event is delivered after it resumes`, {
    timeout: (STOP_SECONDS + 150) * 1000,
  }, async () => {
    smtp = await startSmtp()
    redis = await startPrivateRedis()
    cluster = await givenTwoApiProcesses('postgres', {
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      JOB_BACKOFF_MS: '200',
    })
    worker = await startWorkerProcess(cluster.cli, cluster.env)
    const tripId = await cluster.givenTrip(1000)
    const db = openDatabase(cluster.database.url).db
    const statuses = new Map<number, number>()
    let frozen = false
    const during = { bookings: 0, reads: 0, registrations: 0 }
    let maxPending = 0
    const send = async (method: string, path: string, body?: unknown, token?: string) => {
      const bases = [cluster.one, cluster.two]
      const res = await fetch(`${bases[Math.floor(Math.random() * 2)]}/api/v1${path}`, {
        method,
        headers: {
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      })
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> }
    }
    try {
      let running = true
      const load = Promise.all(
        Array.from({ length: 6 }, async () => {
          const reg = await send('POST', '/auth/register', {
            email: uniqueEmail('frozen'),
            password: STRONG_PASSWORD,
            name: 'F',
          })
          const token = reg.body.access_token as string
          while (running) {
            const booking = await send('POST', '/bookings', { trip_id: tripId, seats: 1 }, token)
            const read = await send('GET', `/trips/${tripId}`)
            const mine =
              booking.status === 201
                ? await send('GET', `/bookings/${booking.body.id}`, undefined, token)
                : undefined
            if (booking.status === 201) await send('POST', `/bookings/${booking.body.id}/cancel`, {}, token)
            if (frozen) {
              if (booking.status === 201) during.bookings++
              if (read.status === 200 && mine?.status === 200) during.reads++
            }
          }
        }),
      )
      const registrar = (async () => {
        while (running) {
          const r = await send('POST', '/auth/register', {
            email: uniqueEmail('during'),
            password: STRONG_PASSWORD,
            name: 'D',
          })
          if (frozen && r.status === 201) during.registrations++
          await sleep(200)
        }
      })()
      await sleep(2000)
      process.kill(redis.pid, 'SIGSTOP')
      frozen = true
      const watch = (async () => {
        while (frozen) {
          const row = await db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('processed_at', 'is', null)
            .executeTakeFirstOrThrow()
          maxPending = Math.max(maxPending, Number(row.n))
          await sleep(250)
        }
      })()
      await sleep(STOP_SECONDS * 1000)
      frozen = false
      process.kill(redis.pid, 'SIGCONT')
      await watch
      await sleep(2000)
      running = false
      await Promise.all([load, registrar])

      const table = notificationHandlers({ mailer: { kind: 'file', send: async () => {}, close() {} } })
      const missing = async () => {
        const events = await db.selectFrom('outbox').select(['id', 'type']).execute()
        const done = new Set(
          (await db.selectFrom('processed_events').select(['event_id', 'handler']).execute()).map(
            (p) => `${p.event_id}/${p.handler}`,
          ),
        )
        return events
          .flatMap((e) => (table[e.type as keyof typeof table] ?? []).map((h) => `${e.id}/${h.name}`))
          .filter((p) => !done.has(p)).length
      }
      await expect.poll(missing, { timeout: 90_000, interval: 500 }).toBe(0)
      const mailed = (
        await db.selectFrom('processed_events').select('handler').where('handler', 'like', 'mail.%').execute()
      ).length
      await expect
        .poll(() => new Set(smtp.mails.map((m) => m.messageId)).size, { timeout: 30_000 })
        .toBe(mailed)

      const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0)
      reportDrill(`Redis frozen ${STOP_SECONDS} s (kill -STOP)`, {
        'bookings answered during the freeze': during.bookings,
        'reads answered during the freeze': during.reads,
        'registrations answered during the freeze': during.registrations,
        statuses: JSON.stringify(Object.fromEntries(statuses)),
        '5xx': fiveXX,
        'outbox peak (undelivered)': maxPending,
        'mails delivered after it resumed': mailed,
      })
      expect(fiveXX).toBe(0)
      expect(during.bookings).toBeGreaterThan(0)
      expect(during.reads).toBeGreaterThan(0)
      expect(maxPending).toBeGreaterThan(0)
    } finally {
      await db.destroy()
    }
  })
})
