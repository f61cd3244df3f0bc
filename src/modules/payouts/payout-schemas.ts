import { Type } from 'typebox'
import { Nullable, Timestamp } from '../../platform/http/schemas.js'
import type { LedgerEntry, Payout } from './ledger-repository.js'
import type { PayoutOutcome } from './run-payouts.js'
import type { Earnings } from './vendor-earnings.js'

export const VendorIdParams = Type.Object({ id: Type.String({ pattern: '^vnd_[0-9a-z]{26}$' }) })

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })
const Minor = Type.Integer({ description: 'Integer minor units of the currency' })

export const EarningsView = Type.Object(
  {
    vendor_id: Type.String(),
    earnings: Type.Array(
      Type.Object({
        currency: Currency,
        pending: Minor,
        available: Minor,
        carried: Minor,
        in_transit: Minor,
        paid_out: Minor,
      }),
    ),
    tax_forms: Type.Array(
      Type.Object({
        form: Type.Literal('1099'),
        year: Type.Integer(),
        total_paid_usd: Minor,
        flagged_at: Timestamp,
      }),
    ),
  },
  { title: 'VendorEarnings' },
)

export const earningsView = (
  vendorId: string,
  e: { earnings: Earnings[]; taxForms: { year: number; totalPaid: number; flaggedAt: string }[] },
) => ({
  vendor_id: vendorId,
  earnings: e.earnings.map((x) => ({
    currency: x.currency,
    pending: x.pending,
    available: x.available,
    carried: x.carried,
    in_transit: x.inTransit,
    paid_out: x.paidOut,
  })),
  tax_forms: e.taxForms.map((t) => ({
    form: '1099' as const,
    year: t.year,
    total_paid_usd: t.totalPaid,
    flagged_at: t.flaggedAt,
  })),
})

export const EntryView = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([
      Type.Literal('booking'),
      Type.Literal('refund'),
      Type.Literal('payout'),
      Type.Literal('payout_reversal'),
      Type.Literal('adjustment'),
    ]),
    amount: Minor,
    currency: Currency,
    booking_id: Nullable(Type.String()),
    reason: Nullable(Type.String()),
    created_by: Nullable(Type.String()),
    created_at: Timestamp,
  },
  { title: 'LedgerEntry' },
)

export const entryView = (e: LedgerEntry) => ({
  id: e.id,
  kind: e.kind,
  amount: e.amount,
  currency: e.currency,
  booking_id: e.bookingId,
  reason: e.reason,
  created_by: e.createdBy,
  created_at: e.createdAt,
})

export const PayoutView = Type.Object(
  {
    id: Type.String(),
    vendor_id: Type.String(),
    currency: Currency,
    period: Type.String({ examples: ['weekly:2026-11-23', 'monthly:2026-11'] }),
    period_start: Timestamp,
    period_end: Timestamp,
    amount: Minor,
    status: Type.Union([
      Type.Literal('processing'),
      Type.Literal('paid'),
      Type.Literal('failed'),
      Type.Literal('carried'),
    ]),
    reason: Nullable(Type.String()),
    paid_at: Nullable(Timestamp),
    created_at: Timestamp,
    entries: Type.Optional(Type.Array(EntryView)),
  },
  { title: 'Payout' },
)

export const payoutView = (p: Payout & { entries?: LedgerEntry[] }) => ({
  id: p.id,
  vendor_id: p.vendorId,
  currency: p.currency,
  period: p.period,
  period_start: p.periodStart,
  period_end: p.periodEnd,
  amount: p.amount,
  status: p.status,
  reason: p.reason,
  paid_at: p.paidAt,
  created_at: p.createdAt,
  ...(p.entries && { entries: p.entries.map(entryView) }),
})

export const PayoutList = Type.Object({ data: Type.Array(PayoutView) }, { title: 'PayoutList' })

export const RunPayoutBody = Type.Object(
  {
    period: Type.Union([Type.Literal('weekly'), Type.Literal('monthly')], {
      description: 'Which closed period to pay',
    }),
  },
  { title: 'RunPayoutRequest', additionalProperties: false },
)

export const PayoutRunView = Type.Object(
  {
    period: Type.String(),
    outcomes: Type.Array(
      Type.Object({
        currency: Currency,
        result: Type.Union([
          Type.Literal('paid'),
          Type.Literal('in_flight'),
          Type.Literal('failed'),
          Type.Literal('carried'),
          Type.Literal('done_before'),
        ]),
        amount: Minor,
        reason: Nullable(Type.String()),
        payout_id: Nullable(Type.String()),
      }),
    ),
  },
  { title: 'PayoutRun' },
)

export const outcomeView = (o: PayoutOutcome) =>
  o.result === 'carried'
    ? { currency: o.currency, result: o.result, amount: o.amount, reason: o.reason, payout_id: null }
    : {
        currency: o.currency,
        result: o.result,
        amount: o.payout.amount,
        reason: o.payout.reason,
        payout_id: o.payout.id,
      }

export const AdjustmentBody = Type.Object(
  {
    amount: Type.Integer({
      minimum: -100_000_000,
      maximum: 100_000_000,
      description: 'Signed minor units; not zero',
    }),
    currency: Currency,
    reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }),
  },
  { title: 'LedgerAdjustmentRequest', additionalProperties: false },
)
