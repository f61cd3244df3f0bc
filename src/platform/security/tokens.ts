import { createHash, randomBytes, webcrypto } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import { LRUCache } from 'lru-cache'
import type { Actor, Role } from '../../shared/actor.js'
import { newId } from '../../shared/ids.js'

export interface TokenSettings {
  secret: string
  issuer: string
  audience: string
  accessTokenSeconds: number
}

export interface AccessToken {
  token: string
  expiresIn: number
  jti: string
}

const ROLES: readonly Role[] = ['traveler', 'vendor', 'admin']

/** HS256 access tokens: algorithm pinned, iss/aud/exp/jti/sid checked on every request. */
export function createTokenSigner(settings: TokenSettings) {
  // A WebCrypto key imported once: given bytes or a KeyObject, jose imports the key on every call.
  const key = webcrypto.subtle.importKey(
    'raw',
    Buffer.from(settings.secret, 'utf8'),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )
  // Clients send the same token on every request for an hour. A verified token (the whole string,
  // signature included) is remembered until its exp, so repeat requests skip the crypto; revocation
  // is checked per request elsewhere, and the clock is compared on every hit.
  const verified = new LRUCache<string, { actor: Actor; exp: number }>({ max: 20_000 })
  return {
    async issue(actor: Actor, now: Date): Promise<AccessToken> {
      const jti = newId('req', now.getTime()).replace('req_', 'jti_')
      const iat = Math.floor(now.getTime() / 1000)
      const token = await new SignJWT({ role: actor.role, sid: actor.sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(actor.userId)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + settings.accessTokenSeconds)
        .setJti(jti)
        .sign(await key)
      return { token, expiresIn: settings.accessTokenSeconds, jti }
    },

    /** Returns the actor, or undefined for any token that is not exactly one of ours and current. */
    async verify(token: string, now: Date): Promise<Actor | undefined> {
      const seen = verified.get(token)
      if (seen) return seen.exp * 1000 > now.getTime() ? seen.actor : undefined
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ['HS256'],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'sid'],
          currentDate: now,
          clockTolerance: 0,
        })
        const role = payload.role as Role
        if (!ROLES.includes(role) || typeof payload.sid !== 'string' || typeof payload.sub !== 'string') {
          return undefined
        }
        const actor: Actor = { userId: payload.sub, role, sessionId: payload.sid }
        verified.set(token, { actor, exp: payload.exp! })
        return actor
      } catch {
        return undefined
      }
    },
  }
}

export type TokenSigner = ReturnType<typeof createTokenSigner>

/** Opaque refresh tokens: 256 random bits; only their sha256 is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString('base64url')}`
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
