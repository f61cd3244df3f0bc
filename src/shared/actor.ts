export type Role = 'traveler' | 'vendor' | 'admin' | 'reseller'

/** Who is calling, as proven by a verified, unrevoked access token. */
export interface Actor {
  readonly userId: string
  readonly role: Role
  readonly sessionId: string
}

export const isAdmin = (actor: Actor): boolean => actor.role === 'admin'
