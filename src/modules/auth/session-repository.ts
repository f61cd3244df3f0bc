import type { Kysely } from 'kysely'
import { prepared } from '../../platform/database/prepared.js'
import type { DB } from '../../platform/database/schema.js'

const isActiveQuery = prepared((db, sessionId: string) =>
  db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.revoked_at', 'u.status'])
    .where('s.id', '=', sessionId),
)

export const sessionRepository = {
  async create(db: Kysely<DB>, s: { id: string; userId: string; now: Date; expiresAt: Date }): Promise<void> {
    await db
      .insertInto('sessions')
      .values({
        id: s.id,
        user_id: s.userId,
        created_at: s.now.toISOString(),
        expires_at: s.expiresAt.toISOString(),
        revoked_at: null,
        revoked_reason: null,
      })
      .execute()
  },

  async addRefreshToken(
    db: Kysely<DB>,
    t: { hash: string; sessionId: string; now: Date; expiresAt: Date },
  ): Promise<void> {
    await db
      .insertInto('refresh_tokens')
      .values({
        token_hash: t.hash,
        session_id: t.sessionId,
        created_at: t.now.toISOString(),
        expires_at: t.expiresAt.toISOString(),
        used_at: null,
      })
      .execute()
  },

  async findRefreshToken(db: Kysely<DB>, hash: string) {
    const row = await db
      .selectFrom('refresh_tokens as t')
      .innerJoin('sessions as s', 's.id', 't.session_id')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        't.session_id',
        't.expires_at',
        't.used_at',
        's.revoked_at',
        's.expires_at as session_expires_at',
        'u.id as user_id',
        'u.role',
        'u.status',
      ])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst()
    return (
      row && {
        sessionId: row.session_id,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
        sessionRevokedAt: row.revoked_at,
        sessionExpiresAt: row.session_expires_at,
        userId: row.user_id,
        role: row.role,
        userStatus: row.status,
      }
    )
  },

  /** Spends a refresh token; false when it was already spent (a reuse), whatever the concurrency. */
  async spendRefreshToken(db: Kysely<DB>, hash: string, now: Date): Promise<boolean> {
    const result = await db
      .updateTable('refresh_tokens')
      .set({ used_at: now.toISOString() })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  async revoke(db: Kysely<DB>, sessionId: string, reason: string, now: Date): Promise<void> {
    await db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString(), revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute()
  },

  /** Revokes every live session of a user and returns their ids. */
  async revokeAllOfUser(db: Kysely<DB>, userId: string, reason: string, now: Date): Promise<string[]> {
    const live = await db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .execute()
    if (live.length === 0) return []
    await db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString(), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute()
    return live.map((r) => r.id)
  },

  async revokedSince(db: Kysely<DB>, since: Date): Promise<string[]> {
    const rows = await db
      .selectFrom('sessions')
      .select('id')
      .where('revoked_at', '>', since.toISOString())
      .execute()
    return rows.map((r) => r.id)
  },

  /** The database's word on a session, used when the cache cannot answer. */
  /** Whether a session exists, is not revoked and its user is active (on the hot path: a prepared query). */
  async isActive(db: Kysely<DB>, sessionId: string): Promise<boolean> {
    const row = (await isActiveQuery(db, sessionId)).rows[0]
    return row !== undefined && row.revoked_at === null && row.status === 'active'
  },
}
