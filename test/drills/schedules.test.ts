import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { call, freePort, type Server, startWorkerProcess } from '../support/processes.js'
import { startSmtp, type TestSmtp } from '../support/smtp.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill: time passes and nobody asks. A hold left unpaid expires within a minute of its end, by the
 * schedule alone; its seats come back and the traveller gets one mail. With three workers started at
 * once (PostgreSQL + Redis), each tick of the schedule runs once in the cluster, not three times; in
 * the embedded default (SQLite, no Redis) the same schedule runs in the API process and mails an .eml.
 * Takes about two minutes (the hold is one minute, the schedule ticks every minute).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function bookAndWaitForExpiry(cluster: Cluster) {
  const tripId = await cluster.givenTrip(3)
  const [traveller] = await cluster.givenTravellers(1)
  const booking = (
    await call(cluster.one, 'POST', '/bookings', { trip_id: tripId, seats: 2 }, traveller!.token)
  ).body
  expect(booking.status).toBe('pending')
  const status = async () =>
    (await call(cluster.two, 'GET', `/bookings/${booking.id}`, undefined, traveller!.token)).body.status
  await expect.poll(status, { timeout: 150_000, interval: 1000 }).toBe('expired')
  const db = openDatabase(cluster.database.url).db
  try {
    const row = await db
      .selectFrom('bookings')
      .select(['hold_expires_at', 'closed_at'])
      .where('id', '=', booking.id)
      .executeTakeFirstOrThrow()
    const late = (new Date(row.closed_at!).getTime() - new Date(row.hold_expires_at).getTime()) / 1000
    const trip = (await call(cluster.one, 'GET', `/trips/${tripId}`)).body
    return {
      bookingId: booking.id as string,
      travellerId: traveller!.id,
      late,
      seatsAvailable: trip.seats_available as number,
    }
  } finally {
    await db.destroy()
  }
}

// Both setups wait about two minutes for the clock; they run side by side inside one test (expect.poll
// needs the test it runs in, which concurrent tests cannot share).
describe('schedules with nobody asking', () => {
  const stops: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop()
  })

  /** Three workers on PostgreSQL + Redis: the hold expires within a minute, once, one mail, one run per tick. */
  const withThreeWorkers = async () => {
    const smtp: TestSmtp = await startSmtp()
    stops.push(() => smtp.close())
    const cluster = await givenTwoApiProcesses('postgres', {
      HOLD_MINUTES: '1',
      SMTP_URL: smtp.url,
      REDIS_PREFIX: `t:${inject('runId')}:ticks:${randomBytes(3).toString('hex')}:`,
    })
    stops.push(() => cluster.stop())
    const ports = await Promise.all([freePort(), freePort(), freePort()])
    const started = Date.now()
    const workers: Server[] = await Promise.all(
      ports.map((port) => startWorkerProcess(cluster.cli, { ...cluster.env, WORKER_PORT: String(port) })),
    )
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.stop()))
    })

    const expired = await bookAndWaitForExpiry(cluster)
    expect(expired.late).toBeLessThanOrEqual(62)
    expect(expired.seatsAvailable).toBe(3)
    const email = (
      await openDatabase(cluster.database.url)
        .db.selectFrom('users')
        .select('email')
        .where('id', '=', expired.travellerId)
        .executeTakeFirstOrThrow()
    ).email!
    await smtp.waitFor(email, 2) // welcome, then the expiry
    await sleep(1000)
    expect(smtp.to(email).filter((m) => m.subject.startsWith('Booking expired'))).toHaveLength(1)

    // Runs of the expiry schedule in the three workers, against the minute ticks since they started.
    const runs = async () => {
      let total = 0
      for (const port of ports) {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
        for (const line of text.split('\n'))
          if (line.startsWith('travellr_job_duration_seconds_count{') && line.includes('name="expire-holds"'))
            total += Number(line.split(' ').pop())
      }
      return total
    }
    const total = await runs()
    const ticks = Math.floor(Date.now() / 60_000) - Math.floor(started / 60_000)
    reportDrill('schedules on three workers', {
      'expire-holds runs': total,
      'minute ticks': ticks,
      'hold expired after its end (s)': expired.late.toFixed(1),
    })
    expect(total).toBeGreaterThanOrEqual(1)
    expect(total).toBeLessThanOrEqual(ticks + 1)
  }

  /** The embedded default (SQLite, no Redis): the same schedule expires the hold and mails one .eml. */
  const embedded = async () => {
    const cluster = await givenTwoApiProcesses('sqlite', { HOLD_MINUTES: '1' })
    stops.push(() => cluster.stop())
    const expired = await bookAndWaitForExpiry(cluster)
    expect(expired.late).toBeLessThanOrEqual(62)
    expect(expired.seatsAvailable).toBe(3)
    await sleep(2000)
    const dir = cluster.env.MAIL_DIR!
    const mails = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'))
    expect(
      mails.filter((m) => m.includes('Subject: Booking expired') && m.includes(expired.bookingId)),
    ).toHaveLength(1)
  }

  it('when an unpaid hold lapses with nobody asking, then it expires within a minute, once, with one mail, and each tick runs once per cluster', {
    timeout: 240_000,
  }, async () => {
    await Promise.all([...(dialects.includes('postgres') ? [withThreeWorkers()] : []), embedded()])
  })
})
