import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { ADMIN_URL, REDIS_URL } from './services.js'

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string
  }
}

/** One id per run: every database and Redis key this run makes carries it, and is removed at the end. */
export default function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex')
  project.provide('runId', runId)
  return async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL })
    await client.connect()
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname like $1',
      [`travellr_t_${runId}_%`],
    )
    for (const r of rows) await client.query(`drop database if exists "${r.datname}" with (force)`)
    await client.end()
    const redis = new Redis(REDIS_URL)
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `t:${runId}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.unlink(...keys)
    } while (cursor !== '0')
    redis.disconnect()
  }
}
