import { randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import type { Dialect } from '../../src/platform/database/database.js'
import type { DB } from '../../src/platform/database/schema.js'
import { deliverEvent } from '../../src/platform/events/deliver-event.js'
import type { EventHandler, Schedule, Work } from '../../src/platform/events/events.js'
import { createLogger } from '../../src/platform/logger.js'
import { addEvent, outboxRepository } from '../../src/platform/outbox.js'
import { createBullmqQueue } from '../../src/platform/queue/bullmq-queue.js'
import { createInProcessQueue } from '../../src/platform/queue/in-process-queue.js'
import type { JobQueue } from '../../src/platform/queue/queue.js'
import { systemClock } from '../../src/shared/clock.js'
import { REDIS_URL } from '../support/services.js'
import { dialects, givenMigratedDatabase } from '../support/stacks.js'

const log = createLogger('silent')
const retry = { attempts: 3, backoffMs: 20 }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Make = (db: Kysely<DB>, dialect: Dialect, prefix: string) => JobQueue

const adapters: [string, Dialect, Make][] = [
  ...dialects.map((d): [string, Dialect, Make] => [
    `in-process on ${d}`,
    d,
    (db) => createInProcessQueue({ db, clock: systemClock, log, retry, pollMs: 20 }),
  ]),
  ...(dialects.includes('postgres')
    ? [
        [
          'bullmq on postgres',
          'postgres',
          (db: Kysely<DB>, dialect: Dialect, prefix: string) =>
            createBullmqQueue({ db, dialect, clock: systemClock, log, retry, redisUrl: REDIS_URL, prefix }),
        ] as [string, Dialect, Make],
      ]
    : []),
]

/** A handler whose every effect is a row in `effects`: a repeat would show as a second row. */
function recording(name: string, before?: (eventId: string) => void): EventHandler {
  return {
    name,
    async handle(trx, event) {
      before?.(event.id)
      await sql`insert into effects (event_id, handler) values (${event.id}, ${name})`.execute(trx)
    },
  }
}

describe.each(adapters)('queue contract: %s', (_name, dialect, make) => {
  let database: Awaited<ReturnType<typeof givenMigratedDatabase>>
  let db: Kysely<DB>
  let queue: JobQueue
  let prefix: string

  beforeAll(async () => {
    database = await givenMigratedDatabase(dialect)
    db = database.db
    await sql`create table effects (event_id text not null, handler text not null)`.execute(db)
  })
  afterAll(async () => {
    await database.drop()
  })
  beforeEach(async () => {
    prefix = `t:${inject('runId')}:${randomBytes(4).toString('hex')}:`
    queue = make(db, dialect, prefix)
    return async () => {
      await queue.close()
    }
  })

  async function writeEvents(n: number, type: 'booking.created' | 'booking.expired' = 'booking.created') {
    const ids: string[] = []
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < n; i++)
        ids.push(await addEvent(trx, { type, aggregateId: `bkg_${i}`, payload: { i } }, new Date()))
    })
    return ids
  }

  async function effectsOf(ids: string[]) {
    const rows = await sql<{
      event_id: string
      handler: string
    }>`select event_id, handler from effects`.execute(db)
    return rows.rows.filter((r) => ids.includes(r.event_id))
  }

  it('when events are written, then each of their handlers takes effect once and the outbox drains', async () => {
    const ids = await writeEvents(20)
    await queue.start({ handlers: { 'booking.created': [recording('a'), recording('b')] }, schedules: [] })
    await expect.poll(async () => (await effectsOf(ids)).length, { timeout: 15_000 }).toBe(40)
    const effects = await effectsOf(ids)
    expect(new Set(effects.map((e) => `${e.event_id}/${e.handler}`)).size).toBe(40)
    await expect.poll(async () => (await outboxRepository.backlog(db, new Date())).pending).toBe(0)
    await expect.poll(async () => (await queue.counts()).waiting + (await queue.counts()).active).toBe(0)
  })

  it('when a handler fails twice, then it is retried with backoff and takes effect once, and its sibling is not repeated', async () => {
    const calls = new Map<string, number>()
    const flaky = recording('flaky', (id) => {
      const n = (calls.get(id) ?? 0) + 1
      calls.set(id, n)
      if (n <= 2) throw new Error(`flaky failure ${n}`)
    })
    const ids = await writeEvents(1)
    await queue.start({ handlers: { 'booking.created': [recording('steady'), flaky] }, schedules: [] })
    await expect.poll(async () => (await effectsOf(ids)).length, { timeout: 15_000 }).toBe(2)
    await sleep(200)
    expect((await effectsOf(ids)).map((e) => e.handler).sort()).toEqual(['flaky', 'steady'])
    expect(calls.get(ids[0]!)).toBe(3)
    expect(await queue.failed(10)).toEqual([])
  })

  it('when a handler keeps failing, then the job is parked as failed and listed, and a retry after the fix delivers it once', async () => {
    let broken = true
    const ids = await writeEvents(1, 'booking.expired')
    const handler = recording('fragile', () => {
      if (broken) throw new Error('mail relay refused')
    })
    await queue.start({ handlers: { 'booking.expired': [handler] }, schedules: [] })
    await expect.poll(async () => (await queue.failed(10)).length, { timeout: 15_000 }).toBe(1)
    const [failed] = await queue.failed(10)
    expect(failed).toMatchObject({
      id: ids[0],
      name: 'booking.expired',
      kind: 'event',
      attempts: retry.attempts,
    })
    expect(failed!.error).toContain('mail relay refused')
    expect((await queue.counts()).failed).toBe(1)
    expect(await effectsOf(ids)).toEqual([])

    broken = false
    expect(await queue.retry('evt_unknown')).toBe(false)
    expect(await queue.retry(ids[0]!)).toBe(true)
    await expect.poll(async () => (await effectsOf(ids)).length, { timeout: 15_000 }).toBe(1)
    await expect.poll(async () => (await queue.failed(10)).length).toBe(0)
    expect(await queue.retry(ids[0]!)).toBe(false)
  })

  it('when a delivered row is published again (a crash before it was marked), then nothing happens twice', async () => {
    const ids = await writeEvents(3)
    const work: Work = { handlers: { 'booking.created': [recording('once')] }, schedules: [] }
    await queue.start(work)
    await expect.poll(async () => (await effectsOf(ids)).length, { timeout: 15_000 }).toBe(3)
    await expect.poll(async () => (await outboxRepository.backlog(db, new Date())).pending).toBe(0)
    // As after a crash between delivery and marking, once the row's lease (in-process) has run out.
    await db
      .updateTable('outbox')
      .set({ processed_at: null, available_at: new Date().toISOString() })
      .where('id', 'in', ids)
      .execute()
    await expect
      .poll(async () => (await outboxRepository.backlog(db, new Date())).pending, { timeout: 15_000 })
      .toBe(0)
    await sleep(300)
    expect(await effectsOf(ids)).toHaveLength(3)
  })

  it('when a schedule ticks every second, then it runs about once a second', async () => {
    let runs = 0
    const every: Schedule = {
      name: `tick-${randomBytes(3).toString('hex')}`,
      cron: '* * * * * *',
      run: async () => runs++,
    }
    await queue.start({ handlers: {}, schedules: [every] })
    await sleep(3500)
    expect(runs).toBeGreaterThanOrEqual(2)
    expect(runs).toBeLessThanOrEqual(5)
  })
})

describe.each(dialects)('event delivery on %s', (dialect) => {
  it('when the same event is delivered by two workers at once, then each handler takes effect once', async () => {
    const database = await givenMigratedDatabase(dialect)
    const db = database.db
    await sql`create table effects (event_id text not null, handler text not null)`.execute(db)
    const id = await db
      .transaction()
      .execute((trx) =>
        addEvent(trx, { type: 'user.registered', aggregateId: 'usr_1', payload: {} }, new Date()),
      )
    const event = (await outboxRepository.findEvent(db, id))!
    const slow: EventHandler = {
      name: 'slow',
      async handle(trx, e) {
        await sql`insert into effects (event_id, handler) values (${e.id}, 'slow')`.execute(trx)
        await sleep(100)
      },
    }
    const handlers = { 'user.registered': [slow] }
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => deliverEvent(db, handlers, event, () => new Date())),
    )
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    const ran = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []))
    expect(ran).toEqual(['slow'])
    const rows = await sql`select * from effects`.execute(db)
    expect(rows.rows).toHaveLength(1)
    await database.drop()
  })
})

describe.runIf(dialects.includes('postgres'))('bullmq schedules', () => {
  it('when three workers start at once, then a schedule still runs once per tick', async () => {
    const database = await givenMigratedDatabase('postgres')
    const prefix = `t:${inject('runId')}:${randomBytes(4).toString('hex')}:`
    const queues = [1, 2, 3].map(() =>
      createBullmqQueue({
        db: database.db,
        dialect: 'postgres',
        clock: systemClock,
        log,
        retry,
        redisUrl: REDIS_URL,
        prefix,
      }),
    )
    const runs: number[] = [0, 0, 0]
    await Promise.all(
      queues.map((q, i) =>
        q.start({
          handlers: {},
          schedules: [{ name: 'every-second', cron: '* * * * * *', run: async () => runs[i]!++ }],
        }),
      ),
    )
    await sleep(4500)
    for (const q of queues) await q.close()
    const total = runs.reduce((a, b) => a + b, 0)
    // Once per tick: about 4 in 4.5 s; three times per tick would be about 12.
    expect(total).toBeGreaterThanOrEqual(3)
    expect(total).toBeLessThanOrEqual(6)
    await database.drop()
  })
})
