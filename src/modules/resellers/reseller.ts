export type ResellerStatus = 'active' | 'suspended'

/** An OTA, agent or marketplace that sells vendors' departures through the OCTO API. */
export interface Reseller {
  id: string
  /** The account its bookings belong to; it never signs in. */
  userId: string
  name: string
  contactEmail: string
  maxHeldSeats: number
  status: ResellerStatus
  createdAt: string
  updatedAt: string
}

/** A vendor's catalogue opened to a reseller at a commission; reached with one API key. */
export interface ResellerAccess {
  id: string
  resellerId: string
  vendorId: string
  commissionBps: number
  keyHint: string
  createdBy: string
  createdAt: string
  revokedAt: string | null
  revokedBy: string | null
}

/** Who is calling the OCTO API: a reseller through one access to one vendor. */
export interface ResellerActor {
  accessId: string
  resellerId: string
  resellerUserId: string
  resellerName: string
  vendorId: string
  commissionBps: number
  maxHeldSeats: number
}
