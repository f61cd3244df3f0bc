import { type Static, Type } from 'typebox'
import {
  Email,
  Language,
  Nullable,
  Password,
  PersonName,
  Phone,
  Timestamp,
} from '../../platform/http/schemas.js'
import type { User } from './user.js'

export const UserView = Type.Object(
  {
    id: Type.String({ examples: ['usr_01hx5k9a2b3c4d5e6f7g8h9j0k'] }),
    email: Nullable(Type.String()),
    name: Type.String(),
    phone: Nullable(Type.String()),
    language: Nullable(Language),
    role: Type.Union([
      Type.Literal('traveler'),
      Type.Literal('vendor'),
      Type.Literal('admin'),
      Type.Literal('reseller'),
    ]),
    status: Type.Union([Type.Literal('active'), Type.Literal('deactivated'), Type.Literal('deleted')]),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { title: 'User' },
)

export function userView(u: User): Static<typeof UserView> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    language: u.language === 'en' || u.language === 'fr' ? u.language : null,
    role: u.role,
    status: u.status,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  }
}

export const UserIdParams = Type.Object({ id: Type.String({ pattern: '^usr_[0-9a-z]{26}$' }) })

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(PersonName),
    phone: Type.Optional(Nullable(Phone)),
    language: Type.Optional(Nullable(Language)),
    email: Type.Optional(Email),
    password: Type.Optional(Password),
    current_password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { title: 'UpdateUserRequest', additionalProperties: false, minProperties: 1 },
)

/** Dates of the admin lists' `from`/`to`: an instant with its offset (RFC 3339). */
const Instant = Type.String({ format: 'date-time' })

export const AdminUserQuery = Type.Object(
  {
    role: Type.Optional(
      Type.Union([
        Type.Literal('traveler'),
        Type.Literal('vendor'),
        Type.Literal('admin'),
        Type.Literal('reseller'),
      ]),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('deactivated'), Type.Literal('deleted')]),
    ),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the email or name' })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
