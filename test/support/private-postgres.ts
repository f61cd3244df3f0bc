import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './processes.js'

/** Debian's PostgreSQL server binaries (the newest installed major version). */
function binaries(): string {
  const base = '/usr/lib/postgresql'
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : []
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql')
  return join(base, versions[0]!, 'bin')
}

export interface PrivatePostgres {
  /** URL of its `postgres` database (trust auth on loopback). */
  url: string
  /** Stops the server the way an operator's restart does (fast shutdown: sessions are cut). */
  stop(): Promise<void>
  /** Starts it again on the same port and data. */
  start(): Promise<void>
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>
}

/**
 * A PostgreSQL server of this test's own (a scratch data directory and port), so a drill may stop and
 * restart it without touching the shared one other tests use. initdb refuses to run as root, so as
 * root it and the server run as the `postgres` account.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binaries()
  const dir = mkdtempSync(join(tmpdir(), 'travellr-pg-'))
  const data = join(dir, 'data')
  const owner = process.getuid?.() === 0 ? userIds('postgres') : {}
  if (owner.uid !== undefined && owner.gid !== undefined) chownSync(dir, owner.uid, owner.gid)
  const run = (cmd: string, args: string[]) => spawn(cmd, args, { stdio: 'ignore', ...owner })
  const initdb = run(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ])
  const code = await new Promise<number | null>((ok) => initdb.once('exit', ok))
  if (code !== 0) throw new Error(`initdb failed (${code})`)
  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let server: ChildProcess | undefined

  async function start() {
    server = run(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'max_connections=100',
    ])
    for (let i = 0; i < 200; i++) {
      const probe = new pg.Client({ connectionString: url })
      probe.on('error', () => {})
      try {
        await probe.connect()
        await probe.query('select 1')
        await probe.end()
        return
      } catch {
        await probe.end().catch(() => {})
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    throw new Error('private PostgreSQL did not start')
  }

  async function stop() {
    const child = server
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    // SIGINT to the postmaster is pg_ctl's "fast" mode: sessions are ended, the server shuts down cleanly.
    const exited = new Promise((ok) => child.once('exit', ok))
    child.kill('SIGINT')
    await exited
  }

  await start()
  return {
    url,
    stop,
    start,
    async destroy() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function userIds(name: string): { uid?: number; gid?: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim())
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim())
  return { uid, gid }
}
