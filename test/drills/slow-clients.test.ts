import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { type Cluster, givenTwoApiProcesses } from '../support/cluster.js'
import { reportDrill } from '../support/drill-report.js'
import { dialects } from '../support/stacks.js'

/**
 * Drill: slow and oversized clients do not hold the server. Against one API process, hundreds of
 * connections trickle their headers a byte at a time (slowloris), some trickle a body, and some send
 * bodies of 50 MB. Meanwhile an ordinary client's requests are all answered promptly; the oversized
 * bodies get 413 without being read; every slow connection is answered 408 and cut when
 * REQUEST_TIMEOUT_SECONDS is up; memory stays flat. Run alone: npm run drill:slow-clients
 */
const TIMEOUT_SECONDS = 3
const SLOW_HEADERS = Number(process.env.DRILL_SLOW_CLIENTS ?? 300)
const SLOW_BODIES = 30
const OVERSIZED = 10
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Slow {
  socket: Socket
  answer: string
  closedAt?: number
}

describe.runIf(dialects.includes('sqlite'))('slow and oversized clients (embedded default)', () => {
  let cluster: Cluster
  afterAll(() => cluster?.stop())

  it('when hundreds of clients trickle and some send 50 MB, then others are served and each is cut in time', {
    timeout: 120_000,
  }, async () => {
    cluster = await givenTwoApiProcesses('sqlite', { REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) })
    const server = cluster.servers[0]!
    const { hostname, port } = new URL(server.base)
    const tripId = await cluster.givenTrip(10)
    const rss = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
    const rssBefore = rss()
    const t0 = performance.now()
    const now = () => (performance.now() - t0) / 1000

    const open = (first: string): Slow => {
      const slow: Slow = { socket: connect(Number(port), hostname), answer: '' }
      slow.socket.setNoDelay(true)
      slow.socket.on('data', (d) => {
        slow.answer += String(d)
      })
      slow.socket.on('error', () => {})
      slow.socket.on('close', () => {
        slow.closedAt = now()
      })
      slow.socket.write(first)
      return slow
    }
    const headers = Array.from({ length: SLOW_HEADERS }, () =>
      open(`GET /api/v1/trips/${tripId} HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `),
    )
    const bodies = Array.from({ length: SLOW_BODIES }, () =>
      open(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      ),
    )
    const trickle = setInterval(() => {
      for (const s of [...headers, ...bodies]) if (!s.closedAt && s.socket.writable) s.socket.write('a')
    }, 200)

    // Oversized bodies, declared and undeclared (chunked), each streamed as fast as the socket takes it.
    const chunk = Buffer.alloc(64 * 1024, 'a')
    const oversized = Array.from({ length: OVERSIZED }, (_, i) => {
      const chunked = i % 2 === 1
      const s = open(
        `POST /api/v1/auth/register HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n${
          chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${50 * 1024 * 1024}`
        }\r\n\r\n`,
      )
      let sent = 0
      const pump = () => {
        while (!s.closedAt && s.socket.writable && sent < 50 * 1024 * 1024 && !s.answer) {
          sent += chunk.length
          const more = chunked
            ? s.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
            : s.socket.write(chunk)
          if (!more) return void s.socket.once('drain', pump)
        }
      }
      pump()
      return { s, sentBytes: () => sent }
    })

    // An ordinary client, one request after another, for the whole window and a bit more.
    const latencies: number[] = []
    let failed = 0
    while (now() < TIMEOUT_SECONDS + 3) {
      const started = performance.now()
      const res = await fetch(`${server.base}/api/v1/trips/${tripId}`, {
        signal: AbortSignal.timeout(5_000),
      }).catch(() => null)
      if (res?.status === 200) latencies.push(performance.now() - started)
      else failed++
      await res?.text()
      await sleep(20)
    }
    clearInterval(trickle)
    const rssPeak = rss()
    latencies.sort((a, b) => a - b)
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
    const cut = (list: Slow[]) => list.filter((s) => s.closedAt !== undefined)
    const with408 = (list: Slow[]) => list.filter((s) => s.answer.startsWith('HTTP/1.1 408')).length
    const tooLarge = oversized.filter(({ s }) =>
      /^HTTP\/1\.1 413[\s\S]*application\/problem\+json/.test(s.answer),
    )
    // Refused: answered 413, or cut before the whole body went (a reset can overtake the 413 on its way).
    const refused = oversized.filter(
      ({ s, sentBytes }) =>
        tooLarge.some((t) => t.s === s) || (s.closedAt !== undefined && sentBytes() < 50 * 1024 * 1024),
    )
    for (const s of [...headers, ...bodies, ...oversized.map((o) => o.s)]) s.socket.destroy()

    const figures = {
      'slow header clients': SLOW_HEADERS,
      'slow body clients': SLOW_BODIES,
      'cut by the server (headers)': cut(headers).length,
      'cut by the server (bodies)': cut(bodies).length,
      'answered 408': with408(headers) + with408(bodies),
      'latest cut (s, timeout 3)': Math.max(...cut([...headers, ...bodies]).map((s) => s.closedAt!)).toFixed(
        1,
      ),
      'oversized bodies (50 MB)': OVERSIZED,
      'answered 413 problem+json': tooLarge.length,
      'refused (413, or cut before the end)': refused.length,
      'MB sent before the 413 (most)': (Math.max(...oversized.map((o) => o.sentBytes())) / 1048576).toFixed(
        1,
      ),
      'ordinary requests answered': latencies.length,
      'ordinary requests failed': failed,
      'ordinary p50 / p99 / max ms': `${p(0.5).toFixed(1)} / ${p(0.99).toFixed(1)} / ${(latencies.at(-1) ?? 0).toFixed(1)}`,
      'server RSS before / peak MB': `${rssBefore.toFixed(0)} / ${rssPeak.toFixed(0)}`,
    }
    reportDrill('slow clients and oversized bodies', figures)
    expect(server.child.exitCode).toBeNull()
    expect(failed).toBe(0)
    expect(cut(headers)).toHaveLength(SLOW_HEADERS)
    expect(cut(bodies)).toHaveLength(SLOW_BODIES)
    expect(refused).toHaveLength(OVERSIZED)
    expect(tooLarge.length).toBeGreaterThan(0)
    expect(rssPeak - rssBefore).toBeLessThan(100)
  })
})
