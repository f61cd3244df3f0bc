import type { Kysely, Selectable } from 'kysely'
import { isUniqueViolation, serializesWriters } from '../../platform/database/database.js'
import { containing } from '../../platform/database/like.js'
import type { DB, UsersTable } from '../../platform/database/schema.js'
import type { Role } from '../../shared/actor.js'
import type { User } from './user.js'
import { EmailTakenError } from './user-errors.js'

const COLUMNS = [
  'id',
  'email',
  'name',
  'phone',
  'language',
  'role',
  'status',
  'created_at',
  'updated_at',
] as const

function toUser(row: Pick<Selectable<UsersTable>, (typeof COLUMNS)[number]>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    language: row.language,
    role: row.role,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export interface NewUser {
  id: string
  email: string | null
  name: string
  phone: string | null
  language: string | null
  passwordHash: string | null
  role: Role
  now: Date
}

export const userRepository = {
  async insert(db: Kysely<DB>, u: NewUser): Promise<User> {
    const at = u.now.toISOString()
    try {
      await db
        .insertInto('users')
        .values({
          id: u.id,
          email: u.email,
          name: u.name,
          phone: u.phone,
          language: u.language,
          password_hash: u.passwordHash,
          role: u.role,
          status: 'active',
          created_at: at,
          updated_at: at,
          deleted_at: null,
        })
        .execute()
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError()
      throw err
    }
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      phone: u.phone,
      language: u.language,
      role: u.role,
      status: 'active',
      createdAt: at,
      updatedAt: at,
    }
  },

  /** The user row, locked for this transaction on PostgreSQL. */
  async lock(db: Kysely<DB>, id: string): Promise<User | undefined> {
    let q = db.selectFrom('users').select(COLUMNS).where('id', '=', id)
    if (!serializesWriters(db)) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    return row && toUser(row)
  },

  /** Admin list: newest first (keyset on id), filtered by role, status, sign-up time and a text search. */
  async list(
    db: Kysely<DB>,
    f: {
      role?: Role
      status?: User['status']
      q?: string
      from?: string
      to?: string
      beforeId?: string
      limit: number
    },
  ): Promise<User[]> {
    let q = db.selectFrom('users').select(COLUMNS).orderBy('id', 'desc').limit(f.limit)
    if (f.role) q = q.where('role', '=', f.role)
    if (f.status) q = q.where('status', '=', f.status)
    if (f.from) q = q.where('created_at', '>=', f.from)
    if (f.to) q = q.where('created_at', '<', f.to)
    if (f.beforeId) q = q.where('id', '<', f.beforeId)
    if (f.q) {
      const like = containing(f.q)
      q = q.where((eb) =>
        eb.or([eb(eb.fn('lower', ['email']), 'like', like), eb(eb.fn('lower', ['name']), 'like', like)]),
      )
    }
    return (await q.execute()).map(toUser)
  },

  async findById(db: Kysely<DB>, id: string): Promise<User | undefined> {
    const row = await db.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst()
    return row && toUser(row)
  },

  async findCredentials(db: Kysely<DB>, email: string) {
    const row = await db
      .selectFrom('users')
      .select([...COLUMNS, 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirst()
    return row && { user: toUser(row), passwordHash: row.password_hash }
  },

  async passwordHashOf(db: Kysely<DB>, id: string): Promise<string | null | undefined> {
    const row = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst()
    return row?.password_hash
  },

  async update(
    db: Kysely<DB>,
    id: string,
    change: {
      name?: string
      phone?: string | null
      language?: string | null
      email?: string
      passwordHash?: string
      role?: Role
    },
    now: Date,
  ): Promise<void> {
    try {
      await db
        .updateTable('users')
        .set({
          ...(change.name !== undefined && { name: change.name }),
          ...(change.phone !== undefined && { phone: change.phone }),
          ...(change.language !== undefined && { language: change.language }),
          ...(change.email !== undefined && { email: change.email }),
          ...(change.passwordHash !== undefined && { password_hash: change.passwordHash }),
          ...(change.role !== undefined && { role: change.role }),
          updated_at: now.toISOString(),
        })
        .where('id', '=', id)
        .execute()
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError()
      throw err
    }
  },

  async setStatus(db: Kysely<DB>, id: string, status: 'active' | 'deactivated', now: Date): Promise<void> {
    await db
      .updateTable('users')
      .set({ status, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '!=', 'deleted')
      .execute()
  },

  /** Erasure: personal data goes, the row stays so bookings and payments keep their owner id. */
  async erase(db: Kysely<DB>, id: string, now: Date): Promise<void> {
    const at = now.toISOString()
    await db
      .updateTable('users')
      .set({
        email: null,
        name: 'Deleted user',
        phone: null,
        password_hash: null,
        status: 'deleted',
        deleted_at: at,
        updated_at: at,
      })
      .where('id', '=', id)
      .execute()
  },

  async count(db: Kysely<DB>): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  },
}

export type UserRepository = typeof userRepository
