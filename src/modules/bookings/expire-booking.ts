import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Booking } from './booking.js'
import { bookingRepository } from './booking-repository.js'
import { moveBooking } from './move-booking.js'

/**
 * Expires one pending booking whose hold has run out, in its own transaction, locked first: a payment
 * confirming it or its owner cancelling it at the same moment wins or loses cleanly. Undefined: it
 * had moved or been extended meanwhile.
 */
export async function expireBooking(db: Kysely<DB>, id: string, now: Date): Promise<Booking | undefined> {
  return inTransaction(db, async (trx) => {
    const found = await bookingRepository.lock(trx, id)
    if (!found || found.booking.holdExpiresAt > now.toISOString()) return undefined
    return moveBooking(trx, found.booking, 'expire', now, { cancelledBy: 'system' })
  })
}
