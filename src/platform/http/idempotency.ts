import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Clock } from '../../shared/clock.js'
import { AppError } from '../../shared/errors.js'
import { isUniqueViolation } from '../database/database.js'
import type { DB } from '../database/schema.js'

const KEEP_MS = 24 * 60 * 60 * 1000
/** How long a running request owns its key; after that a crashed run's key can be taken over. */
const LOCK_MS = 60_000
const WAIT_STEP_MS = 25
const WAIT_MAX_MS = 15_000

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string; replayed: boolean }
  }
  interface FastifyContextConfig {
    /** false: this POST does not take Idempotency-Key (e.g. webhooks, which dedupe by event id). */
    idempotent?: boolean
    /**
     * How long the stored answer is replayed (24 h by default). Shorter where the answer is a one-time
     * secret (a refresh): a client's network retry gets it back, a late replay runs the request again.
     */
    idempotencyReplaySeconds?: number
  }
}

interface Deps {
  db: Kysely<DB>
  clock: Clock
  secret: string
  scopeOf(request: FastifyRequest): string
}

/**
 * Stored responses can hold tokens (register, login): they are kept encrypted (AES-256-GCM with a
 * key derived from the server secret), so the table is no store of usable credentials.
 */
function sealer(secret: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'travellr', 'idempotency-responses', 32))
  return {
    seal(text: string): string {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
    },
    open(sealed: string): string {
      const raw = Buffer.from(sealed, 'base64')
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
      decipher.setAuthTag(raw.subarray(12, 28))
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
    },
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0]
  return createHash('sha256')
    .update(`${request.method} ${path}\n${JSON.stringify(request.body ?? null)}`)
    .digest('base64url')
}

/**
 * Idempotency-Key for every mutating POST (PRODUCT.md §2): the first run's response is stored and
 * replayed; the same key with another body is 422; concurrent duplicates wait for the first run.
 */
export function registerIdempotency(app: FastifyInstance, deps: Deps): void {
  const { db, clock } = deps
  const box = sealer(deps.secret)

  async function claim(
    scope: string,
    key: string,
    hash: string,
    keepMs: number,
    reply: FastifyReply,
  ): Promise<boolean> {
    const started = Date.now()
    for (;;) {
      const now = clock.now()
      try {
        await db
          .insertInto('idempotency_keys')
          .values({
            scope,
            key,
            request_hash: hash,
            state: 'running',
            response_status: null,
            response_headers: null,
            response_body: null,
            locked_until: new Date(now.getTime() + LOCK_MS).toISOString(),
            created_at: now.toISOString(),
            expires_at: new Date(now.getTime() + keepMs).toISOString(),
          })
          .execute()
        return true
      } catch (err) {
        if (!isUniqueViolation(err)) throw err
      }
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst()
      if (!row) continue // finished with a server error and was released: try again
      if (row.expires_at < now.toISOString()) {
        await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute()
        continue
      }
      if (row.request_hash !== hash) {
        throw new AppError(
          'unprocessable',
          'idempotency.key_reused',
          'This Idempotency-Key was already used with a different request.',
        )
      }
      if (row.state === 'done') {
        const headers = JSON.parse(row.response_headers ?? '{}') as Record<string, string>
        reply.header('idempotent-replayed', 'true')
        for (const [name, value] of Object.entries(headers)) reply.header(name, value)
        reply.status(row.response_status ?? 200)
        await reply.send(row.response_body === null ? '' : box.open(row.response_body))
        return false
      }
      if (row.locked_until < now.toISOString()) {
        // The run that held the key died; take it over, unless another waiter just did.
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ locked_until: new Date(now.getTime() + LOCK_MS).toISOString() })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .where('state', '=', 'running')
          .where('locked_until', '=', row.locked_until)
          .executeTakeFirst()
        if (Number(taken.numUpdatedRows) === 1) return true
      }
      if (Date.now() - started > WAIT_MAX_MS) {
        throw new AppError(
          'conflict',
          'idempotency.in_progress',
          'A request with this Idempotency-Key is still running; retry shortly.',
          { retryAfter: 1 },
        )
      }
      await sleep(WAIT_STEP_MS)
    }
  }

  const claimHook = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['idempotency-key']
    if (key === undefined) return
    if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new AppError(
        'invalid',
        'idempotency.key_invalid',
        'Idempotency-Key must be 1 to 255 visible ASCII characters.',
      )
    }
    const scope = deps.scopeOf(request)
    const replaySeconds = request.routeOptions.config.idempotencyReplaySeconds
    const keepMs = replaySeconds === undefined ? KEEP_MS : replaySeconds * 1000
    const owned = await claim(scope, key, requestHash(request), keepMs, reply)
    request.idempotency = { scope, key, replayed: !owned }
    if (!owned) return reply // the stored response was sent
  }

  const storeHook = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const idem = request.idempotency
    if (!idem || idem.replayed) return payload
    const where = db
      .updateTable('idempotency_keys')
      .where('scope', '=', idem.scope)
      .where('key', '=', idem.key)
      .where('state', '=', 'running')
    if (
      reply.statusCode >= 500 ||
      (payload !== null && typeof payload !== 'string' && !Buffer.isBuffer(payload))
    ) {
      // A server error is not an answer: release the key so a retry runs again.
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', idem.scope)
        .where('key', '=', idem.key)
        .execute()
      return payload
    }
    const body = payload === null ? '' : payload.toString()
    const headers: Record<string, string> = {}
    const type = reply.getHeader('content-type')
    if (type !== undefined) headers['content-type'] = String(type)
    const location = reply.getHeader('location')
    if (location !== undefined) headers.location = String(location)
    await where
      .set({
        state: 'done',
        response_status: reply.statusCode,
        response_headers: JSON.stringify(headers),
        response_body: box.seal(body),
      })
      .execute()
    return payload
  }

  // Only mutating POSTs take the hooks: every other route pays nothing for them.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.includes('POST') || route.config?.idempotent === false) return
    route.preHandler = [claimHook, ...toArray(route.preHandler)]
    route.onSend = [...toArray(route.onSend), storeHook]
  })
}

function toArray<T>(hook: T | T[] | undefined): T[] {
  if (hook === undefined) return []
  return Array.isArray(hook) ? hook : [hook]
}

/** Keys are kept 24 hours; the cleanup job calls this. */
export async function purgeExpiredIdempotencyKeys(db: Kysely<DB>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<', now.toISOString())
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
