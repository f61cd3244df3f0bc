/** Pure rules of sign-in sessions. */

export const DAY_MS = 24 * 60 * 60 * 1000

export function sessionExpiry(now: Date, refreshTokenDays: number): Date {
  return new Date(now.getTime() + refreshTokenDays * DAY_MS)
}

/** Cache key that marks a session revoked, for as long as any access token of it can live. */
export function revokedSessionKey(sessionId: string): string {
  return `auth:revoked-session:${sessionId}`
}

/**
 * A session the database said was live, remembered briefly so the hot path skips the query. Revoking
 * puts the session on the denylist, which is read first, so this never outlives a logout.
 */
export function liveSessionKey(sessionId: string): string {
  return `auth:live-session:${sessionId}`
}

export const LIVE_SESSION_SECONDS = 300

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  // The scheme is case-insensitive (RFC 9110 §11.1).
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim())
  return match?.[1]
}
