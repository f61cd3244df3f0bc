import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '../..')

/** Builds the service as `npm start` does, into a scratch folder of its own; returns the CLI path. */
export function buildCli(): { cli: string; remove(): void } {
  const out = join(root, '.test-dist', randomBytes(4).toString('hex'))
  execFileSync(
    join(root, 'node_modules/.bin/tsc'),
    ['-p', join(root, 'tsconfig.build.json'), '--outDir', out],
    { cwd: root },
  )
  return { cli: join(out, 'src/cli.js'), remove: () => rmSync(out, { recursive: true, force: true }) }
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => ok(port))
    })
    srv.on('error', fail)
  })
}

export function waitFor(child: ChildProcess, text: string, ms = 30_000): Promise<string> {
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
    child.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`exited with ${code} before "${text}"; output:\n${seen}`))
    })
  })
}

export interface Server {
  base: string
  child: ChildProcess
  stop(): Promise<void>
}

/** Starts `travellr serve` as a real process and waits until it listens. */
export async function startServer(cli: string, env: Record<string, string>, cwd = root): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, [cli, 'serve'], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
    },
  })
  await waitFor(child, 'Travellr is running')
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

export async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

/** Starts `travellr worker` as a real process and waits until it runs. */
export async function startWorkerProcess(
  cli: string,
  env: Record<string, string>,
  cwd = root,
): Promise<Server> {
  const child = spawn(process.execPath, [cli, 'worker'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
  })
  await waitFor(child, 'Travellr worker running')
  return {
    base: '',
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

/** Kills a process with SIGKILL (kill -9) and waits until it is gone. */
export async function killHard(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return
  const gone = new Promise((r) => server.child.once('exit', r))
  server.child.kill('SIGKILL')
  await gone
}
