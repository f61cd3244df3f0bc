import { mulDivHalfEven } from '../../shared/money.js'

/** How often a vendor is paid; each payout covers one closed period. */
export type PayoutSchedule = 'weekly' | 'monthly'

export interface Period {
  kind: PayoutSchedule
  /** Stable name, part of the payout's idempotency key: `weekly:2026-11-23`, `monthly:2026-11`. */
  name: string
  start: string
  end: string
}

const DAY = 86_400_000

/**
 * The last closed period at `at`: weekly runs Monday 00:00 UTC to Monday 00:00 UTC; monthly, the
 * calendar month (UTC).
 */
export function closedPeriod(kind: PayoutSchedule, at: Date): Period {
  if (kind === 'weekly') {
    const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate())
    const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7
    const end = midnight - sinceMonday * DAY
    const start = end - 7 * DAY
    return {
      kind,
      name: `weekly:${new Date(start).toISOString().slice(0, 10)}`,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    }
  }
  const end = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)
  return {
    kind,
    name: `monthly:${new Date(start).toISOString().slice(0, 7)}`,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
  }
}

/** The vendor's share of what a booking kept: the rest after the commission, rounded half-even. */
export function vendorShareOf(kept: number, commissionBps: number): number {
  return kept - mulDivHalfEven(kept, commissionBps, 10_000)
}

export type CarryReason = 'below_minimum' | 'negative_balance' | 'no_payout_account'

/** Whether a balance is paid now or carried to the next period, and why. */
export function payoutDecision(
  balance: number,
  minimum: number,
  hasAccount: boolean,
): { pay: true } | { pay: false; reason: CarryReason } {
  if (balance < 0) return { pay: false, reason: 'negative_balance' }
  if (balance < minimum) return { pay: false, reason: 'below_minimum' }
  if (!hasAccount) return { pay: false, reason: 'no_payout_account' }
  return { pay: true }
}

/** 1099-K threshold: paid in USD within a calendar year, in cents. */
export const TAX_FORM_THRESHOLD_USD = 2_000_000
