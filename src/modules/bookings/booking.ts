import type { Actor } from '../../shared/actor.js'
import { type Money, mulDivHalfEven } from '../../shared/money.js'

export type BookingStatus = 'pending' | 'confirmed' | 'completed' | 'cancelled' | 'expired'
export type Transition = 'confirm' | 'expire' | 'cancel' | 'complete' | 'revive'
export type Canceller = 'traveler' | 'vendor' | 'admin' | 'system' | 'reseller'

export interface Refund {
  amount: number
  percent: number
  /** The part of the refund taken from the platform's commission… */
  commission: number
  /** …and from the vendor's share; the two add up to the amount. */
  vendorShare: number
}

/** The channel a booking was sold through: our own API, or a reseller through OCTO. */
export type Channel = 'direct' | 'octo'

/** The person a reseller booked for (OCTO's contact); every field may be unknown. */
export interface Contact {
  fullName: string | null
  firstName: string | null
  lastName: string | null
  emailAddress: string | null
  phoneNumber: string | null
  locales: string[]
  postalCode: string | null
  country: string | null
  notes: string | null
}

/** One seat of a reseller's booking (OCTO's unit item). */
export interface UnitItem {
  uuid: string
  resellerReference: string | null
  contact: Contact
}

/** What a reseller's booking carries beyond a direct one. */
export interface ResellerSale {
  resellerId: string
  accessId: string
  /** The reseller's uuid for the booking: its idempotency key. */
  uuid: string
  reference: string | null
  contact: Contact
  unitItems: UnitItem[]
  /** What the reseller owes: the total less its commission. */
  net: number
}

export interface Booking {
  id: string
  tripId: string
  userId: string
  seats: number
  status: BookingStatus
  unitPrice: Money
  total: Money
  commissionBps: number
  holdExpiresAt: string
  notes: string | null
  refund: Refund | null
  cancelledBy: Canceller | null
  cancelReason: string | null
  createdAt: string
  updatedAt: string
  confirmedAt: string | null
  closedAt: string | null
  channel: Channel
  reseller: ResellerSale | null
}

/** The only moves a booking can make (PRODUCT.md §3). */
const MOVES: Record<Transition, { from: readonly BookingStatus[]; to: BookingStatus }> = {
  confirm: { from: ['pending'], to: 'confirmed' },
  expire: { from: ['pending'], to: 'expired' },
  cancel: { from: ['pending', 'confirmed'], to: 'cancelled' },
  complete: { from: ['confirmed'], to: 'completed' },
  // Only a payment that succeeds after the hold lapsed (a late 3-D Secure), and only if the seats are
  // still free: the money was taken, so the booking is confirmed rather than refunded.
  revive: { from: ['expired'], to: 'confirmed' },
}

export function nextStatus(from: BookingStatus, move: Transition): BookingStatus | undefined {
  return MOVES[move].from.includes(from) ? MOVES[move].to : undefined
}

export interface PolicyTier {
  hoursBefore: number
  refundPercent: number
}

/** The refund percentage the policy gives for a cancellation at `now`. */
export function policyPercent(tiers: readonly PolicyTier[], startsAt: string, now: Date): number {
  const msBefore = Date.parse(startsAt) - now.getTime()
  if (msBefore < 0) return 0
  for (const tier of tiers) {
    if (msBefore >= tier.hoursBefore * 3_600_000) return tier.refundPercent
  }
  return 0
}

/** Commission on what the platform keeps: rate × (captured − refunded), half-even, per booking. */
export function commissionOn(amount: number, commissionBps: number): number {
  return mulDivHalfEven(amount, commissionBps, 10_000)
}

/**
 * The refund of a cancellation, split pro rata: the commission shrinks to the commission on what is
 * kept, the vendor's share gives up the rest, and both always add up to the refund to the cent.
 * Nothing was captured for a pending booking, so nothing is refunded.
 */
export function refundFor(
  booking: Pick<Booking, 'status' | 'total' | 'commissionBps'> & Partial<Pick<Booking, 'reseller'>>,
  by: Canceller,
  tiers: readonly PolicyTier[],
  startsAt: string,
  now: Date,
): Refund {
  if (booking.status !== 'confirmed') return { amount: 0, percent: 0, commission: 0, vendorShare: 0 }
  // A reseller cancels for its customer: the policy applies as to a traveller.
  const percent = by === 'traveler' || by === 'reseller' ? policyPercent(tiers, startsAt, now) : 100
  // What was paid: a reseller paid the net price, a traveller the total.
  const total = booking.reseller ? booking.reseller.net : booking.total.amount
  const amount = mulDivHalfEven(total, percent, 100)
  const commission =
    commissionOn(total, booking.commissionBps) - commissionOn(total - amount, booking.commissionBps)
  return { amount, percent, commission, vendorShare: amount - commission }
}

/** Who is this actor to the booking? Anyone else must not learn that it exists. */
export function relationTo(
  actor: Actor,
  booking: Pick<Booking, 'userId'>,
  tripVendorUserId: string,
): 'owner' | 'vendor' | 'admin' | 'none' {
  if (actor.role === 'admin') return 'admin'
  if (actor.userId === booking.userId) return 'owner'
  if (actor.userId === tripVendorUserId) return 'vendor'
  return 'none'
}

export const cancellerFor = (relation: 'owner' | 'vendor' | 'admin'): Canceller =>
  relation === 'owner' ? 'traveler' : relation

export function holdExpiry(now: Date, holdMinutes: number): string {
  return new Date(now.getTime() + holdMinutes * 60_000).toISOString()
}

/** What a reseller owes for a sale at a retail total: the total less its commission (half-even). */
export function resellerNet(retail: number, commissionBps: number): number {
  return retail - mulDivHalfEven(retail, commissionBps, 10_000)
}

export const emptyContact = (): Contact => ({
  fullName: null,
  firstName: null,
  lastName: null,
  emailAddress: null,
  phoneNumber: null,
  locales: [],
  postalCode: null,
  country: null,
  notes: null,
})
