import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/platform/database/database.js'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { expectConsistentBooks } from '../support/invariants.js'
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill (PRODUCT.md §5): PostgreSQL restarted under load. Two API processes on a PostgreSQL server of
 * the drill's own keep running without a restart: while the database is down they answer 503
 * (problem+json, Retry-After) and /ready says 503, never a 500 or a hang; within 10 s of the database
 * being back every answer is green again; every booking acknowledged exists and the books balance.
 * `npm run drill:postgres` keeps it down 15 s; `npm test` 4 s.
 */
const DOWN_SECONDS = Number(process.env.DRILL_PG_DOWN_SECONDS ?? 4)
const AFTER_SECONDS = 12
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.runIf(dialects.includes('postgres'))('PostgreSQL restarted under load (its own server)', () => {
  let server: PrivatePostgres
  let cluster: Cluster
  afterAll(async () => {
    await cluster?.stop()
    await server?.destroy()
  })

  it(`when PostgreSQL is down ${DOWN_SECONDS} s and comes back, then the API answers 503 meanwhile and is green within 10 s`, {
    timeout: (DOWN_SECONDS + AFTER_SECONDS + 120) * 1000,
  }, async () => {
    server = await startPrivatePostgres()
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    await admin.query('create database travellr_drill')
    await admin.end()
    const url = server.url.replace(/\/postgres$/, '/travellr_drill')
    cluster = await givenTwoApiProcesses(
      'postgres',
      {},
      { database: { url, drop: async () => {} }, redis: false },
    )
    const pids = cluster.servers.map((s) => s.child.pid)
    // What a process says before it dies is the drill's best clue.
    const said = cluster.servers.map(() => '')
    for (const [i, s] of cluster.servers.entries())
      s.child.stderr?.on('data', (d) => {
        said[i] = (said[i] + String(d)).slice(-4000)
      })
    const bases = [cluster.one, cluster.two]
    const tripId = await cluster.givenTrip(1000)
    const travellers = await cluster.givenTravellers(40)

    type Answer = { at: number; status: number; problem: boolean; retryAfter: boolean }
    const answers: Answer[] = []
    const ready: { at: number; status: number }[] = []
    const acknowledged: string[] = []
    let hung = 0
    let stopping = false
    let t0 = performance.now()
    const now = () => (performance.now() - t0) / 1000

    const send = async (i: number, method: string, path: string, body?: unknown, token?: string) => {
      try {
        const res = await fetch(`${bases[i % 2]}/api/v1${path}`, {
          method,
          headers: {
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...(token && { authorization: `Bearer ${token}` }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        })
        const text = await res.text()
        answers.push({
          at: now(),
          status: res.status,
          problem: (res.headers.get('content-type') ?? '').startsWith('application/problem+json'),
          retryAfter: res.headers.has('retry-after'),
        })
        return { status: res.status, body: text ? JSON.parse(text) : undefined }
      } catch {
        hung++
        return { status: 0, body: undefined }
      }
    }

    const traveller = async (i: number) => {
      const { token } = travellers[i]!
      while (!stopping) {
        const made = await send(i, 'POST', '/bookings', { trip_id: tripId, seats: 1 }, token)
        if (made.status === 201) {
          acknowledged.push(made.body.id)
          await send(i + 1, 'GET', `/bookings/${made.body.id}`, undefined, token)
          await send(i, 'POST', `/bookings/${made.body.id}/cancel`, {}, token)
        } else await sleep(50)
        await send(i + 1, 'GET', `/trips/${tripId}`)
      }
    }
    const probe = async () => {
      while (!stopping) {
        for (const base of bases) {
          const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => null)
          ready.push({ at: now(), status: res?.status ?? 0 })
          await res?.text()
        }
        await sleep(100)
      }
    }

    t0 = performance.now()
    const load = Promise.all([...travellers.map((_, i) => traveller(i)), probe()])
    await sleep(3_000)
    const downAt = now()
    await server.stop()
    const stoppedAt = now()
    await sleep(DOWN_SECONDS * 1000)
    await server.start()
    const upAt = now()
    await sleep(AFTER_SECONDS * 1000)
    stopping = true
    await load

    const inDown = answers.filter((a) => a.at > stoppedAt + 0.5 && a.at < upAt)
    const bad = (a: Answer) => a.status >= 500 || a.status === 0
    const lastBad = answers.filter((a) => a.at >= upAt && bad(a)).reduce((m, a) => Math.max(m, a.at), upAt)
    const firstReady = ready.find((r) => r.at >= upAt && r.status === 200)?.at ?? Number.POSITIVE_INFINITY
    const other5xx = answers.filter((a) => a.status >= 500 && a.status !== 503)
    const unhelpful503 = answers.filter((a) => a.status === 503 && (!a.problem || !a.retryAfter))
    const alive = cluster.servers.filter((s, i) => s.child.exitCode === null && s.child.pid === pids[i])

    const db = openDatabase(url)
    let lost = -1
    try {
      const rows = await db.db.selectFrom('bookings').select('id').where('trip_id', '=', tripId).execute()
      const stored = new Set(rows.map((r) => r.id))
      lost = acknowledged.filter((id) => !stored.has(id)).length
      await expectConsistentBooks(db.db, tripId)
    } finally {
      await db.close()
    }

    const figures = {
      'down (s)': (upAt - downAt).toFixed(1),
      'answers in all': answers.length,
      'answers while down': inDown.length,
      '503 while down': inDown.filter((a) => a.status === 503).length,
      '2xx while down (cached reads)': inDown.filter((a) => a.status < 300).length,
      '/ready 503 while down': ready.filter((r) => r.at > stoppedAt + 0.5 && r.at < upAt && r.status === 503)
        .length,
      '5xx other than 503': other5xx.length,
      '503 without problem+json or Retry-After': unhelpful503.length,
      'requests unanswered (20 s)': hung,
      '/ready 200 after restart (s)': (firstReady - upAt).toFixed(2),
      'last failed answer after restart (s)': (lastBad - upAt).toFixed(2),
      'bookings acknowledged': acknowledged.length,
      'bookings lost': lost,
      'API processes alive (same pid)': `${alive.length}/2`,
    }
    reportDrill(`PostgreSQL restarted under load (down ${DOWN_SECONDS} s)`, figures)
    expect(alive, `exits: ${said.join('\n---\n')}`).toHaveLength(2)
    expect(inDown.filter((a) => a.status === 503).length).toBeGreaterThan(0)
    expect(figures['/ready 503 while down']).toBeGreaterThan(0)
    expect({ other5xx: other5xx.length, unhelpful: unhelpful503.length, hung, lost }).toEqual({
      other5xx: 0,
      unhelpful: 0,
      hung: 0,
      lost: 0,
    })
    expect(firstReady - upAt).toBeLessThanOrEqual(10)
    expect(lastBad - upAt).toBeLessThanOrEqual(10)
  })
})
