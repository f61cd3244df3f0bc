import { Type } from 'typebox'
import { ValidationError } from '../../shared/errors.js'

/** `?limit=` (default 20, at most 100) and the opaque `cursor` of every list. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
}

/** A page of items; named after its item's title in the OpenAPI document (e.g. BookingPage). */
export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object(
    { data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) },
    (item as { title?: string }).title ? { title: `${(item as { title?: string }).title}Page` } : {},
  )

export type Keyset = (string | number)[]

/** What each position of a cursor must be: anything else was not written by this API. */
export type KeyPart = 'id' | 'timestamp'

const VALID: Record<KeyPart, (v: unknown) => boolean> = {
  id: (v) => typeof v === 'string' && /^[a-z]{3}_[0-9a-z]{26}$/.test(v),
  timestamp: (v) =>
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) &&
    new Date(v).toISOString() === v,
}

/** Opaque keyset cursor: the sort key of the last row seen. */
export function encodeCursor(key: Keyset): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** The key of a cursor this API wrote; any other (forged, truncated, of another list) is a 400. */
export function decodeCursor(cursor: string | undefined, shape: KeyPart[]): string[] | undefined {
  if (cursor === undefined) return undefined
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => VALID[shape[i]!](v)))
      return key
  } catch {
    // fall through
  }
  throw new ValidationError([{ field: 'cursor', message: 'is not a cursor this API gave out' }])
}

export type Page<T> = { items: T[]; nextCursor: string | null }

/** Fetch limit+1 rows; the extra one says whether there is a next page. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => Keyset): Page<T> {
  const items = rows.slice(0, limit)
  const last = items[items.length - 1]
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null }
}
