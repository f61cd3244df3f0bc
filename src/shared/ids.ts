/** Prefixed ids: the prefix names the kind of object, the rest sorts by creation time. */
export type IdPrefix = 'usr' | 'ses' | 'rtk' | 'vnd' | 'trp' | 'bkg' | 'pay' | 'ref' | 'pyo' | 'evt' | 'req'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz' // Crockford base32, lower case

function encode(value: bigint, length: number): string {
  let out = ''
  let rest = value
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(rest & 31n)] + out
    rest >>= 5n
  }
  return out
}

/** `usr_` + 10 chars of milliseconds since epoch + 16 random chars (80 bits). */
export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(10))
  let r = 0n
  for (const byte of random) r = (r << 8n) | BigInt(byte)
  return `${prefix}_${encode(BigInt(nowMs), 10)}${encode(r, 16)}`
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && /^[a-z]{3}_[0-9a-z]{26}$/.test(id)
}
