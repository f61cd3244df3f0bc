import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')
const out = join(root, '.test-dist', randomBytes(4).toString('hex'))

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => ok(port))
    })
    srv.on('error', fail)
  })
}

function waitFor(child: ChildProcess, text: string, ms = 30_000): Promise<string> {
  return new Promise((ok, fail) => {
    let seen = ''
    const timer = setTimeout(() => fail(new Error(`timed out waiting for "${text}"; output:\n${seen}`)), ms)
    const onData = (d: Buffer) => {
      seen += d.toString()
      if (seen.includes(text)) {
        clearTimeout(timer)
        ok(seen)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => fail(new Error(`exited with ${code} before "${text}"; output:\n${seen}`)))
  })
}

/** What a newcomer gets from the README's run command: the built CLI, no environment at all. */
describe('travellr serve on the embedded default', () => {
  let cwd: string
  beforeAll(() => {
    execFileSync(
      join(root, 'node_modules/.bin/tsc'),
      ['-p', join(root, 'tsconfig.build.json'), '--outDir', out],
      { cwd: root },
    )
    cwd = mkdtempSync(join(tmpdir(), 'travellr-serve-'))
  })
  afterAll(() => {
    rmSync(out, { recursive: true, force: true })
    rmSync(cwd, { recursive: true, force: true })
  })

  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...extra,
  })

  it('when started with no configuration, then it migrates, seeds, prints the logins and answers /health', async () => {
    const port = await freePort()
    const child = spawn(process.execPath, [join(out, 'cli.js'), 'serve'], {
      cwd,
      env: env({ PORT: String(port) }),
    })
    try {
      const output = await waitFor(child, 'Demo logins')
      await new Promise((r) => setTimeout(r, 100))
      expect(output).toContain(`http://127.0.0.1:${port}/docs`)
      expect(existsSync(join(cwd, 'data/travellr.sqlite'))).toBe(true)
      const base = `http://127.0.0.1:${port}`
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' })
      expect((await fetch(`${base}/docs/`)).status).toBe(200)
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@travellr.local', password: 'Admin-Demo-Pass-2026' }),
      })
      expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin')
      const trips = (await (await fetch(`${base}/api/v1/trips`)).json()) as { data: { timezone: string }[] }
      expect(new Set(trips.data.map((t) => t.timezone)).size).toBeGreaterThanOrEqual(3)
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    }
    expect(child.exitCode).toBe(0)
  })

  it('when an operator creates an admin, then it exists; a weak password is refused', () => {
    const ok = spawnSync(
      process.execPath,
      [
        join(out, 'cli.js'),
        'admin',
        'create',
        '--email',
        'ops@example.com',
        '--password',
        'Ops-Strong-Pass-42',
      ],
      { cwd, env: env() },
    )
    expect(ok.stdout.toString()).toContain('Admin ops@example.com created')
    expect(ok.status).toBe(0)
    const weak = spawnSync(
      process.execPath,
      [join(out, 'cli.js'), 'admin', 'create', '--email', 'x@example.com', '--password', 'password'],
      { cwd, env: env() },
    )
    expect(weak.status).not.toBe(0)
  })

  it('when production starts without a JWT secret, then it refuses with a clear message', () => {
    const res = spawnSync(process.execPath, [join(out, 'cli.js'), 'migrate'], {
      cwd,
      env: env({ TRAVELLR_ENV: 'production' }),
    })
    expect(res.status).toBe(1)
    expect(res.stderr.toString()).toContain('JWT_SECRET is required in production')
  })
})
