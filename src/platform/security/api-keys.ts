import { createHash, randomBytes } from 'node:crypto'

/**
 * API keys for machine clients (resellers): 256 random bits, shown once; only their SHA-256 is stored
 * (a key this long needs no slow hash: it cannot be guessed, only stolen from where it is kept).
 */
export function newApiKey(prefix: string): { key: string; hash: string; hint: string } {
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`
  return { key, hash: hashApiKey(key), hint: key.slice(-4) }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url')
}
