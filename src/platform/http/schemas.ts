import { type TSchema, Type } from 'typebox'

/** Shared pieces of request/response schemas (one source for validation, serialization, OpenAPI). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Email = Type.String({ format: 'email', maxLength: 254, description: 'Email address' })
export const Password = Type.String({ minLength: 8, maxLength: 128, description: '8 to 128 characters' })
export const PersonName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })
export const Phone = Type.String({
  pattern: '^\\+?[0-9][0-9 ()-]{5,19}$',
  description: 'Phone number, e.g. +351 912 345 678',
})
/** Languages mails are written in (modules/notifications); others read English. */
export const Language = Type.Union([Type.Literal('en'), Type.Literal('fr')], {
  description: 'Language of the mails we send you (en, fr)',
})
export const Timestamp = Type.String({ format: 'date-time' })

export const FieldError = Type.Object({ field: Type.String(), message: Type.String() })

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine code, e.g. booking.sold_out' }),
    errors: Type.Optional(Type.Array(FieldError)),
    request_id: Type.String(),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
)

/** Error responses a route documents; the error handler writes them. */
export function problems(...statuses: number[]) {
  const out: Record<number, unknown> = {}
  for (const s of statuses) out[s] = Type.Ref('Problem')
  return out
}

export const bearer = [{ bearerAuth: [] }]

/** onRequest hook for answers that carry secrets (tokens): no cache may keep them. */
export function noStore(
  _request: unknown,
  reply: { header(name: string, value: string): unknown },
  done: () => void,
) {
  reply.header('cache-control', 'no-store')
  done()
}

/** The dependencies a use case takes (its first parameter). */
export type DepsOf<F> = F extends (deps: infer D, ...args: never[]) => unknown ? D : never
