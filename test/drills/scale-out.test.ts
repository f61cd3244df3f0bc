import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { STRONG_PASSWORD, uniqueEmail } from '../support/builders.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { startNginx } from '../support/nginx.js'
import { type Server, startWorkerProcess } from '../support/processes.js'
import { createTestDatabase, dialects } from '../support/stacks.js'

/**
 * The production topology on loopback: two API instances and two workers on one PostgreSQL and one
 * Redis, behind nginx (round robin). Whatever instance a request lands on, the service behaves as one.
 */
describe.runIf(dialects.includes('postgres'))('two API instances and two workers behind nginx', () => {
  let cluster: Cluster
  let nginx: Awaited<ReturnType<typeof startNginx>>
  const workers: Server[] = []
  beforeAll(async () => {
    cluster = await givenTwoApiProcesses('postgres', {
      TRUST_PROXY: '1',
      REDIS_PREFIX: `t:${inject('runId')}:nginx:${randomBytes(3).toString('hex')}:`,
    })
    workers.push(...(await Promise.all([1, 2].map(() => startWorkerProcess(cluster.cli, cluster.env)))))
    nginx = await startNginx([cluster.one, cluster.two])
  }, 120_000)
  afterAll(async () => {
    await nginx?.stop()
    await Promise.all(workers.map((w) => w.stop()))
    await cluster?.stop()
  })

  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${nginx.base}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  it('when a traveller logs out through one instance, then neither instance accepts the token again', async () => {
    const email = uniqueEmail('lb')
    const signedUp = await send('POST', '/auth/register', { email, password: STRONG_PASSWORD, name: 'LB' })
    const token = signedUp.body.access_token as string
    for (let i = 0; i < 4; i++)
      expect((await send('GET', '/users/me', undefined, bearer(token))).status).toBe(200)
    // nginx spread those reads over both instances.
    for (const instance of [cluster.one, cluster.two]) {
      const metrics = await (await fetch(`${instance}/metrics`)).text()
      expect(metrics).toMatch(
        /http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/users\/me"[^}]*status_code="200"[^}]*\} [1-9]/,
      )
    }
    expect((await send('POST', '/auth/logout', undefined, bearer(token))).status).toBe(204)
    for (let i = 0; i < 6; i++)
      expect((await send('GET', '/users/me', undefined, bearer(token))).status).toBe(401)
  })

  it('when one address keeps guessing a password across both instances, then the shared throttle stops it', async () => {
    const email = uniqueEmail('guess')
    await send('POST', '/auth/register', { email, password: STRONG_PASSWORD, name: 'Guess' })
    for (let i = 0; i < 5; i++)
      expect((await send('POST', '/auth/login', { email, password: `Wrong-${i}-pass` })).status).toBe(401)
    const blocked = await send('POST', '/auth/login', { email, password: STRONG_PASSWORD })
    expect(blocked.status).toBe(429)
  })

  it('when a booking is retried with its Idempotency-Key and lands on the other instance, then the first answer is replayed', async () => {
    const tripId = await cluster.givenTrip(5)
    const [traveller] = await cluster.givenTravellers(1)
    const key = { ...bearer(traveller!.token), 'idempotency-key': randomBytes(8).toString('hex') }
    const answers = []
    for (let i = 0; i < 4; i++)
      answers.push(await send('POST', '/bookings', { trip_id: tripId, seats: 1 }, key))
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201])
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1)
    expect(answers.slice(1).every((a) => a.headers.get('idempotent-replayed') === 'true')).toBe(true)
  })

  it('when 200 travellers book 10 seats at once through nginx, then exactly 10 hold seats, 190 are sold out, none fails', async () => {
    const tripId = await cluster.givenTrip(10)
    const travellers = await cluster.givenTravellers(200)
    const answers = await Promise.all(
      travellers.map((t) => send('POST', '/bookings', { trip_id: tripId, seats: 1 }, bearer(t.token))),
    )
    const count = (s: number) => answers.filter((a) => a.status === s).length
    reportDrill('oversell behind nginx (two API instances, two workers)', {
      '201': count(201),
      '409': count(409),
      other: answers.length - count(201) - count(409),
    })
    expect({ created: count(201), soldOut: count(409) }).toEqual({ created: 10, soldOut: 190 })
    const trip = await send('GET', `/trips/${tripId}`)
    expect(trip.body.seats_available).toBe(0)
  }, 120_000)

  it('when two processes migrate one empty database at the same moment, then each migration runs once', async () => {
    const fresh = await createTestDatabase('postgres')
    try {
      const env = { PATH: process.env.PATH ?? '', ...cluster.env, DATABASE_URL: fresh.url }
      const run = () => promisify(execFile)(process.execPath, [cluster.cli, 'migrate'], { env })
      const outputs = await Promise.all([run(), run(), run()])
      expect(outputs.filter((o) => o.stdout.includes('Applied:'))).toHaveLength(1)
      const db = openDatabase(fresh.url)
      const rows = await db.db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute()
      await db.close()
      expect(new Set(rows.map((r) => (r as { name: string }).name)).size).toBe(rows.length)
      expect(rows.length).toBeGreaterThanOrEqual(13)
    } finally {
      await fresh.drop()
    }
  })
})
