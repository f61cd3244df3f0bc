import { type Static, Type } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.js'
import { Email, Nullable, Password, PersonName, Phone, Timestamp } from '../../platform/http/schemas.js'
import type { Vendor } from './vendor.js'

const BusinessName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const PayoutSchedule = Type.Union([Type.Literal('weekly'), Type.Literal('monthly')], {
  description: 'How often payouts run: weekly (Monday 00:00 UTC) or monthly (the 1st)',
})

const PayoutAccount = Type.String({
  minLength: 4,
  maxLength: 64,
  description: 'Where payouts go (e.g. an IBAN or a Stripe account id)',
})
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('suspended'),
])

export const VendorView = Type.Object(
  {
    id: Type.String(),
    business_name: Type.String(),
    status: Status,
    created_at: Timestamp,
    // Only for the owner and admins:
    user_id: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
    payout_account: Type.Optional(Nullable(Type.String())),
    payout_schedule: Type.Optional(PayoutSchedule),
    commission_rate: Type.Optional(Type.Number({ description: 'Platform commission, e.g. 0.2' })),
    status_reason: Type.Optional(Nullable(Type.String())),
    updated_at: Type.Optional(Timestamp),
  },
  { title: 'Vendor' },
)

export function vendorView(v: Vendor, view: 'full' | 'public'): Static<typeof VendorView> {
  const base = { id: v.id, business_name: v.businessName, status: v.status, created_at: v.createdAt }
  if (view === 'public') return base
  return {
    ...base,
    user_id: v.userId,
    phone: v.phone,
    payout_account: v.payoutAccount,
    payout_schedule: v.payoutSchedule,
    commission_rate: v.commissionBps / 10000,
    status_reason: v.statusReason,
    updated_at: v.updatedAt,
  }
}

export const VendorIdParams = Type.Object({ id: Type.String({ pattern: '^vnd_[0-9a-z]{26}$' }) })

export const RegisterVendorBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: PersonName,
    business_name: BusinessName,
    phone: Phone,
    payout_account: Type.Optional(PayoutAccount),
  },
  { title: 'RegisterVendorRequest', additionalProperties: false },
)

export const UpdateVendorBody = Type.Object(
  {
    business_name: Type.Optional(BusinessName),
    phone: Type.Optional(Phone),
    payout_account: Type.Optional(Nullable(PayoutAccount)),
    payout_schedule: Type.Optional(PayoutSchedule),
  },
  { title: 'UpdateVendorRequest', additionalProperties: false, minProperties: 1 },
)

export const ReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { title: 'ReasonRequest', additionalProperties: false },
)

export const VendorListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Part of the business name or email' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
)
