import { type Static, Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.js'
import { Email, Nullable, Timestamp } from '../../platform/http/schemas.js'
import type { Reseller, ResellerAccess } from './reseller.js'
import type { StatementLine } from './statement-repository.js'

export const RegisterResellerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    contact_email: Email,
    max_held_seats: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        description: 'Seats its reservations may hold at once (100)',
      }),
    ),
  },
  { title: 'RegisterResellerRequest', additionalProperties: false },
)

export const ResellerView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    contact_email: Type.String(),
    max_held_seats: Type.Integer(),
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
    created_at: Timestamp,
  },
  { title: 'Reseller' },
)

export const resellerView = (r: Reseller): Static<typeof ResellerView> => ({
  id: r.id,
  name: r.name,
  contact_email: r.contactEmail,
  max_held_seats: r.maxHeldSeats,
  status: r.status,
  created_at: r.createdAt,
})

export const GrantAccessBody = Type.Object(
  {
    reseller_id: Type.String({ pattern: '^rsl_[0-9a-z]{26}$' }),
    commission_bps: Type.Integer({
      minimum: 0,
      maximum: 9_999,
      description: "The reseller's commission off the retail price, in basis points (1500 = 15%)",
    }),
  },
  { title: 'GrantResellerAccessRequest', additionalProperties: false },
)

export const AccessView = Type.Object(
  {
    id: Type.String(),
    reseller_id: Type.String(),
    reseller_name: Type.Optional(Type.String()),
    vendor_id: Type.String(),
    commission_bps: Type.Integer(),
    key_hint: Type.String({ description: 'The last four characters of the key' }),
    created_at: Timestamp,
    revoked_at: Nullable(Timestamp),
  },
  { title: 'ResellerAccess' },
)

export const accessView = (a: ResellerAccess & { resellerName?: string }): Static<typeof AccessView> => ({
  id: a.id,
  reseller_id: a.resellerId,
  ...(a.resellerName !== undefined && { reseller_name: a.resellerName }),
  vendor_id: a.vendorId,
  commission_bps: a.commissionBps,
  key_hint: a.keyHint,
  created_at: a.createdAt,
  revoked_at: a.revokedAt,
})

export const GrantedView = Type.Object(
  {
    access: AccessView,
    api_key: Type.String({ description: 'Shown this once: only its hash is kept' }),
    octo_endpoint: Type.String({ description: 'Where the reseller sends its OCTO requests' }),
  },
  { title: 'ResellerAccessGranted' },
)

export const ResellerIdParams = Type.Object({ id: Type.String({ pattern: '^rsl_[0-9a-z]{26}$' }) })
export const VendorIdParams = Type.Object({ id: Type.String({ pattern: '^vnd_[0-9a-z]{26}$' }) })
export const AccessParams = Type.Object({
  id: Type.String({ pattern: '^vnd_[0-9a-z]{26}$' }),
  accessId: Type.String({ pattern: '^rak_[0-9a-z]{26}$' }),
})

export const ResellerPageQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const StatementQuery = Type.Object(
  { month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (UTC)' }) },
  { additionalProperties: false },
)

const MoneyView = Type.Object({ amount: Type.Integer(), currency: Type.String() })

export const StatementView = Type.Object(
  {
    month: Type.String(),
    from: Timestamp,
    to: Timestamp,
    lines: Type.Array(
      Type.Object({
        reseller_id: Type.String(),
        reseller_name: Type.String(),
        bookings: Type.Integer(),
        seats: Type.Integer(),
        retail: MoneyView,
        net: MoneyView,
        credits: MoneyView,
        due: MoneyView,
      }),
    ),
  },
  { title: 'ResellerStatement' },
)

export function statementView(s: { month: string; from: string; to: string; lines: StatementLine[] }) {
  const money = (amount: number, currency: string) => ({ amount, currency })
  return {
    month: s.month,
    from: s.from,
    to: s.to,
    lines: s.lines.map((l) => ({
      reseller_id: l.resellerId,
      reseller_name: l.resellerName,
      bookings: l.bookings,
      seats: l.seats,
      retail: money(l.retail, l.currency),
      net: money(l.net, l.currency),
      credits: money(l.credits, l.currency),
      due: money(l.due, l.currency),
    })),
  }
}
