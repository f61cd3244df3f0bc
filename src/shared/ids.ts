/** Prefixed ids: the prefix names the kind of object, the rest sorts by creation time. */
export type IdPrefix =
  | 'usr'
  | 'ses'
  | 'rtk'
  | 'vnd'
  | 'trp'
  | 'bkg'
  | 'pay'
  | 'ref'
  | 'pyo'
  | 'evt'
  | 'req'
  | 'led'
  | 'adj'
  | 'aud'
  | 'prd'
  | 'rsl'
  | 'rak'

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

// Random bytes are drawn from the system a few KiB at a time: one call per id costs more than the id.
const pool = new Uint8Array(4096)
let offset = pool.length

function randomBits80(): bigint {
  if (offset + 10 > pool.length) {
    globalThis.crypto.getRandomValues(pool)
    offset = 0
  }
  let r = 0n
  for (let i = 0; i < 10; i++) r = (r << 8n) | BigInt(pool[offset + i]!)
  offset += 10
  return r
}

/** `usr_` + 10 chars of milliseconds since epoch + 16 random chars (80 bits). */
export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  return `${prefix}_${encode(BigInt(nowMs), 10)}${encode(randomBits80(), 16)}`
}
