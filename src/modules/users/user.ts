import type { Actor, Role } from '../../shared/actor.js'

export interface User {
  id: string
  email: string | null
  name: string
  phone: string | null
  /** Language of mails ('en', 'fr'); null: English. */
  language: string | null
  role: Role
  status: 'active' | 'deactivated' | 'deleted'
  createdAt: string
  updatedAt: string
}

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** Why a password is refused, or undefined when it is acceptable. Length counts characters, not bytes. */
export function passwordProblem(
  password: string,
  isCommon: (p: string) => boolean,
  email?: string,
): string | undefined {
  const length = [...password].length
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`
  if ([...password.trim()].length < PASSWORD_MIN)
    return `must be at least ${PASSWORD_MIN} characters besides leading and trailing spaces`
  // aaaaaaaa, abababab, 12121212: guessed at once whatever their length.
  if (new Set(password.toLowerCase()).size < 4) return 'uses too few different characters'
  if (isCommon(password.toLowerCase())) return 'is too common; choose a less guessable password'
  if (email && password.toLowerCase() === normalizeEmail(email)) return 'must not be your email address'
  return undefined
}

/** Users see themselves; admins see everyone. Anyone else gets "not found", never "forbidden". */
export function canManageUser(actor: Actor, userId: string): boolean {
  return actor.role === 'admin' || actor.userId === userId
}

export interface ProfileChange {
  name?: string
  phone?: string | null
  language?: string | null
  email?: string
  password?: string
  currentPassword?: string
}

/** Changing how one signs in (email, password) asks for the current password, unless an admin does it for another user. */
export function needsCurrentPassword(actor: Actor, userId: string, change: ProfileChange): boolean {
  const sensitive = change.email !== undefined || change.password !== undefined
  return sensitive && actor.userId === userId
}
