import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { notificationHandlers } from '../../src/modules/notifications/index.js'
import { openDatabase } from '../../src/platform/database/database.js'
import { STRONG_PASSWORD, uniqueEmail } from '../support/builders.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { expectConsistentBooks } from '../support/invariants.js'
import { killHard, type Server, startServer, startWorkerProcess } from '../support/processes.js'
import { startSmtp, type TestSmtp } from '../support/smtp.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill: mixed load (registrations, bookings, payments, cancellations) against two API processes and
 * two workers on PostgreSQL + Redis, while one process after another is killed with SIGKILL and
 * started again. Afterwards nothing acknowledged is lost, the outbox drains, every handler took effect
 * once (one mail per Message-ID), and no one is charged or refunded twice.
 * `npm run drill:crash` runs it for a minute (DRILL_SECONDS=60); `npm test` for a short while.
 */
const SECONDS = Number(process.env.DRILL_SECONDS ?? 15)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!

describe.runIf(dialects.includes('postgres'))('crash drill on postgres + redis', () => {
  let smtp: TestSmtp
  let cluster: Cluster
  const workers: Server[] = []
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()))
    await cluster?.stop()
    await smtp?.close()
  })

  it(`when processes are killed with kill -9 under ${SECONDS} s of mixed load, then nothing is lost or doubled`, {
    timeout: (SECONDS + 180) * 1000,
  }, async () => {
    smtp = await startSmtp()
    cluster = await givenTwoApiProcesses('postgres', {
      SMTP_URL: smtp.url,
      JOB_BACKOFF_MS: '200',
      REDIS_PREFIX: `t:${inject('runId')}:crash:${randomBytes(3).toString('hex')}:`,
    })
    const env = cluster.env
    workers.push(
      ...(await Promise.all([startWorkerProcess(cluster.cli, env), startWorkerProcess(cluster.cli, env)])),
    )
    const trips = await Promise.all([1, 2, 3, 4].map(() => cluster.givenTrip(500)))

    const ack = { users: [] as string[], bookings: [] as string[], payments: 0, declined: 0, cancels: 0 }
    const count = { refused: 0, fiveXX: 0, other4xx: 0, kills: 0 }
    const travellers: string[] = []
    const pending: { id: string; token: string }[] = []
    const confirmed: { id: string; token: string }[] = []
    const apis = () => cluster.servers.map((s) => s.base)

    const send = async (method: string, path: string, body: unknown, token?: string) => {
      try {
        const res = await fetch(`${pick(apis())}/api/v1${path}`, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(token && { authorization: `Bearer ${token}` }),
            ...(method === 'POST' && { 'idempotency-key': randomBytes(8).toString('hex') }),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        })
        const json = (await res.json().catch(() => ({}))) as Record<string, any>
        if (res.status >= 500) count.fiveXX++
        return { status: res.status, body: json }
      } catch {
        count.refused++ // the process died under the request, or was down: nothing acknowledged
        return { status: 0, body: {} as Record<string, any> }
      }
    }

    const step = async () => {
      const r = Math.random()
      if (r < 0.15 || travellers.length < 5) {
        const res = await send('POST', '/auth/register', {
          email: uniqueEmail('crash'),
          password: STRONG_PASSWORD,
          name: 'Crash Test',
        })
        if (res.status === 201) {
          ack.users.push(res.body.user.id)
          travellers.push(res.body.access_token)
        }
      } else if (r < 0.55) {
        const token = pick(travellers)
        const res = await send(
          'POST',
          '/bookings',
          { trip_id: pick(trips), seats: 1 + Math.floor(Math.random() * 2) },
          token,
        )
        if (res.status === 201) {
          ack.bookings.push(res.body.id)
          pending.push({ id: res.body.id, token })
        }
      } else if (r < 0.85 && pending.length > 0) {
        const b = pending.splice(Math.floor(Math.random() * pending.length), 1)[0]!
        const method = Math.random() < 0.8 ? 'pm_card_visa' : 'pm_card_chargeDeclined'
        const res = await send('POST', '/payments', { booking_id: b.id, payment_method: method }, b.token)
        if (res.status === 201 && res.body.status === 'succeeded') {
          ack.payments++
          confirmed.push(b)
        } else if (res.status === 402) ack.declined++
      } else if (confirmed.length > 0) {
        const b = confirmed.splice(Math.floor(Math.random() * confirmed.length), 1)[0]!
        const res = await send('POST', `/bookings/${b.id}/cancel`, {}, b.token)
        if (res.status === 200) ack.cancels++
      }
    }

    const deadline = Date.now() + SECONDS * 1000
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < deadline) await step()
      }),
    )
    // Chaos: every few seconds one process dies by SIGKILL and a new one takes its place.
    const chaos = (async () => {
      const every = Math.max(2000, (SECONDS * 1000) / 8)
      for (let round = 0; Date.now() + every < deadline; round++) {
        await sleep(every)
        const pool = round % 2 === 0 ? cluster.servers : workers
        const i = Math.floor(Math.random() * pool.length)
        await killHard(pool[i]!)
        count.kills++
        await sleep(300)
        pool[i] =
          pool === workers ? await startWorkerProcess(cluster.cli, env) : await startServer(cluster.cli, env)
      }
    })()
    await Promise.all([load, chaos])

    // Payments a killed API left in flight are settled by reconciliation (scheduled every minute; run now).
    await promisify(execFile)(
      process.execPath,
      [cluster.cli, 'payments', 'reconcile', '--quiet-seconds', '0'],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    )

    const db = openDatabase(cluster.database.url).db
    try {
      // Which handlers each event must reach: the real table.
      const table = notificationHandlers({ mailer: { kind: 'file', send: async () => {}, close() {} } })
      const expectedPairs = async () => {
        const events = await db.selectFrom('outbox').select(['id', 'type']).execute()
        return events.flatMap((e) =>
          (table[e.type as keyof typeof table] ?? []).map((h) => `${e.id}/${h.name}`),
        )
      }
      const processedPairs = async () =>
        new Set(
          (await db.selectFrom('processed_events').select(['event_id', 'handler']).execute()).map(
            (p) => `${p.event_id}/${p.handler}`,
          ),
        )
      const missing = async () => {
        const done = await processedPairs()
        return (await expectedPairs()).filter((p) => !done.has(p)).length
      }
      await expect.poll(missing, { timeout: 90_000, interval: 500 }).toBe(0)
      const unpublished = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('processed_at', 'is', null)
        .executeTakeFirstOrThrow()

      const existing = new Set((await db.selectFrom('bookings').select('id').execute()).map((b) => b.id))
      const users = new Set((await db.selectFrom('users').select('id').execute()).map((u) => u.id))
      const lostBookings = ack.bookings.filter((id) => !existing.has(id)).length
      const lostUsers = ack.users.filter((id) => !users.has(id)).length

      // One mail per (event, mail handler) that took effect: compare Message-IDs.
      const mailPairs = [...(await processedPairs())].filter((p) => p.includes('/mail.'))
      const expectedIds = new Set(mailPairs.map((p) => `${p.replace('/', '.')}@travellr`))
      await expect
        .poll(() => new Set(smtp.mails.map((m) => m.messageId)).size, { timeout: 30_000 })
        .toBe(expectedIds.size)
      const receivedIds = new Set(smtp.mails.map((m) => m.messageId))
      const strangers = [...receivedIds].filter((id) => !expectedIds.has(id)).length
      const copies = smtp.mails.length - receivedIds.size

      // Money: one succeeded payment per booking at most; refunds never above what was captured, and a
      // cancelled booking refunded exactly its refund.
      const payments = await db.selectFrom('payments').selectAll().execute()
      const refunds = await db.selectFrom('refunds').selectAll().execute()
      const bookings = await db.selectFrom('bookings').selectAll().execute()
      const succeeded = new Map<string, number>()
      for (const p of payments.filter((p) => p.status === 'succeeded'))
        succeeded.set(p.booking_id, (succeeded.get(p.booking_id) ?? 0) + 1)
      const refundedOf = (paymentId: string) =>
        refunds
          .filter((r) => r.payment_id === paymentId && r.status === 'succeeded')
          .reduce((s, r) => s + r.amount, 0)
      const paidTwice = bookings.filter((b) => {
        const live = payments.filter((p) => p.booking_id === b.id && p.status === 'succeeded')
        return live.filter((p) => refundedOf(p.id) < p.amount).length > 1
      }).length
      const overRefunded = payments.filter((p) => refundedOf(p.id) > p.amount).length
      const charges = await db.selectFrom('mock_gateway_objects').select(['key', 'kind']).execute()
      const chargeKeys = charges.filter((c) => c.kind === 'charge').map((c) => c.key)
      const wrongRefunds = bookings.filter((b) => {
        if (b.status !== 'cancelled' || !b.refund_amount) return false
        const paid = payments.find((p) => p.booking_id === b.id && p.status === 'succeeded')
        return paid !== undefined && refundedOf(paid.id) !== b.refund_amount
      }).length
      for (const trip of trips) await expectConsistentBooks(db, trip)

      const figures = {
        seconds: SECONDS,
        kills: count.kills,
        'registrations acknowledged': ack.users.length,
        'bookings acknowledged': ack.bookings.length,
        'payments succeeded': ack.payments,
        'payments declined': ack.declined,
        cancellations: ack.cancels,
        'requests cut by a kill': count.refused,
        '5xx': count.fiveXX,
        'bookings lost': lostBookings,
        'users lost': lostUsers,
        'outbox rows unpublished': Number(unpublished.n),
        events: (await db.selectFrom('outbox').select('id').execute()).length,
        'handler effects (processed records)': (await processedPairs()).size,
        'mails expected (distinct Message-IDs)': expectedIds.size,
        'mails received (distinct)': receivedIds.size,
        'mails with no event': strangers,
        'repeated copies (same Message-ID)': copies,
        'charges at the provider': chargeKeys.length,
        'bookings paid twice': paidTwice,
        'payments refunded above capture': overRefunded,
        'cancellations refunded wrongly': wrongRefunds,
      }
      reportDrill(`kill -9 under load (postgres + redis, ${SECONDS} s)`, figures)
      expect(count.kills).toBeGreaterThanOrEqual(2)
      expect(ack.bookings.length).toBeGreaterThan(0)
      expect({
        lostBookings,
        lostUsers,
        unpublished: Number(unpublished.n),
        strangers,
        paidTwice,
        overRefunded,
        wrongRefunds,
        fiveXX: count.fiveXX,
      }).toEqual({
        lostBookings: 0,
        lostUsers: 0,
        unpublished: 0,
        strangers: 0,
        paidTwice: 0,
        overRefunded: 0,
        wrongRefunds: 0,
        fiveXX: 0,
      })
      expect(receivedIds.size).toBe(expectedIds.size)
      expect(new Set(chargeKeys).size).toBe(chargeKeys.length)
    } finally {
      await db.destroy()
    }
  })
})
