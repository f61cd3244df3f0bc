import type { Actor } from '../../shared/actor.js'

export type VendorStatus = 'pending' | 'approved' | 'rejected' | 'suspended'

export interface Vendor {
  id: string
  userId: string
  businessName: string
  phone: string
  payoutAccount: string | null
  /** How often payouts run for this vendor. */
  payoutSchedule: 'weekly' | 'monthly'
  status: VendorStatus
  /** Platform commission in basis points (2000 = 20%); only the platform sets it. */
  commissionBps: number
  statusReason: string | null
  createdAt: string
  updatedAt: string
}

export const DEFAULT_COMMISSION_BPS = 2000

const TRANSITIONS: Record<VendorStatus, readonly VendorStatus[]> = {
  pending: ['approved', 'rejected'],
  approved: ['suspended'],
  suspended: ['approved'],
  rejected: [],
}

export function canBecome(from: VendorStatus, to: VendorStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

export const isOwner = (actor: Actor, vendor: Pick<Vendor, 'userId'>) => actor.userId === vendor.userId

/** Owners and admins see everything; anyone else sees approved vendors' public fields only. */
export function visibility(actor: Actor | undefined, vendor: Vendor): 'full' | 'public' | 'none' {
  if (actor && (actor.role === 'admin' || isOwner(actor, vendor))) return 'full'
  return vendor.status === 'approved' ? 'public' : 'none'
}
