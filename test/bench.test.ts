import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli, root } from './support/processes.js'

/** A quick run (about a second a scenario) proves `npm run bench` still works; figures are never asserted. */
describe('the benchmark command', () => {
  let build: ReturnType<typeof buildCli>
  beforeAll(() => {
    build = buildCli()
  })
  afterAll(() => build.remove())

  it('when run quickly on SQLite, then it prints one table with every scenario beside its floor, and the large catalogue beside the small', () => {
    const res = spawnSync(
      process.execPath,
      [build.cli, 'bench', '--db', 'sqlite', '--quick', '--scale', 'large', '--no-write'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        timeout: 170_000,
      },
    )
    const out = res.stdout.toString()
    expect(res.status, res.stderr.toString()).toBe(0)
    for (const row of [
      'floor: bare Fastify',
      'floor: raw-driver booking',
      'floor: raw argon2id verify',
      'GET /trips/{id} (cached)',
      'GET /trips?location=… (search)',
      'GET /trips?location=…&from=… (uncached)',
      'GET /bookings/{id}',
      'POST /bookings',
      'POST /bookings (one hot trip)',
      'PUT /bookings/{id} (seats)',
      'POST /payments (mock gateway)',
      'POST /auth/login',
    ]) {
      expect(out).toContain(`| ${row}`)
    }
    expect(out).toMatch(/\| POST \/bookings +\| \d+ +\| \d+/)
    expect(out).toMatch(
      /GET \/admin\/analytics \(5000 bookings, 90 days by day, uncached\): median \d+ ms, slowest \d+ ms of 10/,
    )
    expect(out).toMatch(/Events, outbox to handled \(500 booking\.confirmed, 2 mails each\): \d+ events\/s/)
    expect(out).toContain(
      'Large catalogue (1000 trips, 10000 bookings, 2000 travellers) against the small one',
    )
    expect(out).toMatch(/\| POST \/bookings \(one hot trip\) +\| \d+ +\| \d+/)
    // Every seat change answers 2xx: no 409 from a lost race, no 5xx.
    expect(out).toMatch(/\| PUT \/bookings\/\{id\} \(seats\) +\| \d+ +\| \d+ +\| \d+ +\| 0 +\| 0 +\|/)
  }, 200_000)
})
