import { describe, expect, it } from 'vitest'
import { commissionOn, nextStatus, policyPercent, refundFor } from '../../../src/modules/bookings/booking.js'
import { DEFAULT_POLICY } from '../../../src/modules/trips/trip.js'
import { mulDivHalfEven } from '../../../src/shared/money.js'

const tiers = DEFAULT_POLICY.tiers
const startsAt = '2031-06-15T09:00:00.000Z'
const at = (msBefore: number) => new Date(Date.parse(startsAt) - msBefore)
const SECOND = 1000
const HOUR = 3_600_000
const DAY = 24 * HOUR
const confirmed = {
  status: 'confirmed' as const,
  total: { amount: 12_345, currency: 'EUR' },
  commissionBps: 2000,
}

describe('cancellation policy', () => {
  it.each([
    ['exactly 7 days before', 7 * DAY, 100],
    ['7 days minus a second before', 7 * DAY - SECOND, 50],
    ['exactly 48 hours before', 48 * HOUR, 50],
    ['48 hours minus a second before', 48 * HOUR - SECOND, 0],
    ['after departure', -SECOND, 0],
  ])('when the traveller cancels %s, then %i%% is refunded', (_when, msBefore, percent) => {
    expect(policyPercent(tiers, startsAt, at(msBefore))).toBe(percent)
  })

  it('when refunding 100%, 50%, 50%, 0% of 123.45, then the amounts are exact to the cent and the split adds up', () => {
    const r100 = refundFor(confirmed, 'traveler', tiers, startsAt, at(7 * DAY))
    const r50a = refundFor(confirmed, 'traveler', tiers, startsAt, at(7 * DAY - SECOND))
    const r50b = refundFor(confirmed, 'traveler', tiers, startsAt, at(48 * HOUR))
    const r0 = refundFor(confirmed, 'traveler', tiers, startsAt, at(-SECOND))
    // Full: the whole commission (2469) and vendor share (9876) go back.
    expect(r100).toEqual({ amount: 12_345, percent: 100, commission: 2469, vendorShare: 9876 })
    // Half of 12345 is 6172.5 → 6172 (half-even). Kept 6173 → commission 1234.6 → 1235; 2469 − 1235 = 1234 back.
    expect(r50a).toEqual({ amount: 6172, percent: 50, commission: 1234, vendorShare: 4938 })
    expect(r50b).toEqual(r50a)
    expect(r0).toEqual({ amount: 0, percent: 0, commission: 0, vendorShare: 0 })
    for (const r of [r100, r50a, r0]) expect(r.commission + r.vendorShare).toBe(r.amount)
  })

  it('when the vendor or an admin cancels, even after departure, then the refund is full', () => {
    expect(refundFor(confirmed, 'vendor', tiers, startsAt, at(-DAY)).amount).toBe(12_345)
    expect(refundFor(confirmed, 'admin', tiers, startsAt, at(HOUR)).percent).toBe(100)
  })

  it('when a pending (unpaid) booking is cancelled, then nothing is refunded', () => {
    expect(
      refundFor({ ...confirmed, status: 'pending' }, 'traveler', tiers, startsAt, at(30 * DAY)).amount,
    ).toBe(0)
  })

  it('when any amount is refunded at any percentage, then commission + vendor share = refund, and what is kept splits 20/80 exactly', () => {
    for (let total = 1; total < 5000; total += 37) {
      for (const percent of [0, 1, 33, 50, 67, 99, 100]) {
        const r = refundFor(
          { ...confirmed, total: { amount: total, currency: 'EUR' } },
          'traveler',
          [{ hoursBefore: 0, refundPercent: percent }],
          startsAt,
          at(DAY),
        )
        expect(r.commission + r.vendorShare).toBe(r.amount)
        expect(commissionOn(total, 2000) - r.commission).toBe(commissionOn(total - r.amount, 2000))
        expect(r.amount).toBeLessThanOrEqual(total)
      }
    }
  })
})

describe('booking states', () => {
  it('when moves are tried from each status, then only the legal ones go', () => {
    const legal = {
      pending: { confirm: 'confirmed', expire: 'expired', cancel: 'cancelled', complete: undefined },
      confirmed: { confirm: undefined, expire: undefined, cancel: 'cancelled', complete: 'completed' },
      completed: { confirm: undefined, expire: undefined, cancel: undefined, complete: undefined },
      cancelled: { confirm: undefined, expire: undefined, cancel: undefined, complete: undefined },
      expired: { confirm: undefined, expire: undefined, cancel: undefined, complete: undefined },
    } as const
    for (const [from, moves] of Object.entries(legal)) {
      for (const [move, to] of Object.entries(moves)) {
        expect(
          nextStatus(from as keyof typeof legal, move as keyof typeof moves),
          `${from} --${move}->`,
        ).toBe(to)
      }
    }
  })
})

describe('half-even rounding', () => {
  it.each([
    [5, 1, 2, 2],
    [15, 1, 2, 8],
    [25, 1, 2, 12],
    [7, 1, 2, 4],
    [12_345, 2000, 10_000, 2469],
    [6173, 2000, 10_000, 1235],
    [-5, 1, 2, -2],
  ])('when %i × %i / %i, then %i', (a, n, d, expected) => {
    expect(mulDivHalfEven(a, n, d)).toBe(expected)
  })
})
