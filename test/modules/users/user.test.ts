import { describe, expect, it } from 'vitest'
import {
  canManageUser,
  needsCurrentPassword,
  normalizeEmail,
  passwordProblem,
} from '../../../src/modules/users/user.js'
import { newId } from '../../../src/shared/ids.js'

const never = () => false
const alice = { userId: 'usr_a', role: 'traveler' as const, sessionId: 'ses_1' }
const admin = { userId: 'usr_admin', role: 'admin' as const, sessionId: 'ses_2' }

describe('user rules', () => {
  it('when an email has spaces and capitals, then it is normalised', () => {
    expect(normalizeEmail('  Rita.Silva@Example.COM ')).toBe('rita.silva@example.com')
  })

  it.each([
    ['1234567', 'must be at least 8 characters'],
    ['x'.repeat(129), 'must be at most 128 characters'],
    ['🙂🙂🙂🙂🙂🙂🙂', 'must be at least 8 characters'], // 7 characters, 28 bytes
  ])('when the password is %s, then it is refused (%s)', (password, message) => {
    expect(passwordProblem(password, never)).toBe(message)
  })

  it.each([
    ['aaaaaaaa', /too few different characters/],
    ['abababababab', /too few different characters/],
    ['        ', /besides leading and trailing spaces/],
    ['  abc12  ', /besides leading and trailing spaces/],
  ])('when the password is trivially weak (%j), then it is refused', (password, message) => {
    expect(passwordProblem(password, never)).toMatch(message)
  })

  it('when the password is common, or the email itself, then it is refused', () => {
    expect(passwordProblem('Football1', (p) => p === 'football1')).toMatch(/too common/)
    expect(passwordProblem('rita@example.com', never, 'Rita@Example.com')).toMatch(/email/)
    expect(passwordProblem('Lisbon-Tram-28-Yellow', never, 'rita@example.com')).toBeUndefined()
  })

  it('when someone else asks for a user, then only an admin may', () => {
    expect(canManageUser(alice, 'usr_a')).toBe(true)
    expect(canManageUser(alice, 'usr_b')).toBe(false)
    expect(canManageUser(admin, 'usr_b')).toBe(true)
  })

  it('when email or password change, then the owner needs the current password, an admin for another user does not', () => {
    expect(needsCurrentPassword(alice, 'usr_a', { name: 'x' })).toBe(false)
    expect(needsCurrentPassword(alice, 'usr_a', { email: 'n@x.io' })).toBe(true)
    expect(needsCurrentPassword(admin, 'usr_a', { password: 'Abcdefgh-12' })).toBe(false)
  })
})

describe('ids', () => {
  it('when ids are made, then they carry the prefix, are unique and sort by time', () => {
    const a = newId('usr', 1_000)
    const b = newId('usr', 2_000)
    expect(a).toMatch(/^usr_[0-9a-z]{26}$/)
    expect(a < b).toBe(true)
    expect(new Set(Array.from({ length: 1000 }, () => newId('bkg'))).size).toBe(1000)
  })
})
