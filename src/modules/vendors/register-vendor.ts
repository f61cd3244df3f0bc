import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { PasswordHasher } from '../../platform/security/passwords.js'
import type { AddressLimits } from '../../platform/security/throttle.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { type AccountInput, insertAccount, prepareAccount, type User } from '../users/index.js'
import { DEFAULT_COMMISSION_BPS, type Vendor } from './vendor.js'
import { vendorRepository } from './vendor-repository.js'

/** A vendor signs up as an account plus a pending profile; an admin approves it before it can sell. */
export async function registerVendor(
  deps: {
    db: Kysely<DB>
    clock: Clock
    passwords: PasswordHasher
    isCommonPassword: (p: string) => boolean
    addressLimits: AddressLimits
  },
  input: AccountInput & { businessName: string; phone: string; payoutAccount?: string | null; ip: string },
): Promise<{ vendor: Vendor; user: User }> {
  await deps.addressLimits.register(input.ip)
  const account = await prepareAccount(deps, input)
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const user = await insertAccount(trx, account, 'traveler', now)
    const at = now.toISOString()
    const vendor: Vendor = {
      id: newId('vnd', now.getTime()),
      userId: user.id,
      businessName: input.businessName.trim(),
      phone: input.phone,
      payoutAccount: input.payoutAccount ?? null,
      payoutSchedule: 'weekly',
      status: 'pending',
      commissionBps: DEFAULT_COMMISSION_BPS,
      statusReason: null,
      createdAt: at,
      updatedAt: at,
    }
    await vendorRepository.insert(trx, vendor)
    return { vendor, user }
  })
}
