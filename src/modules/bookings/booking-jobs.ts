import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip } from '../trips/index.js'
import { bookingRepository } from './booking-repository.js'
import { moveBooking } from './move-booking.js'

type JobDeps = { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } }

/**
 * Scheduled: pending bookings past their hold expire and their seats come back. Each booking moves
 * in its own transaction, conditionally, so a payment confirming it at the same moment wins or loses
 * cleanly. Safe to run on several workers at once. Returns how many expired.
 */
export async function expireHolds(deps: JobDeps, batch = 500): Promise<number> {
  const now = deps.clock.now()
  let expired = 0
  for (const id of await bookingRepository.idsDueForExpiry(deps.db, now, batch)) {
    const moved = await deps.db.transaction().execute(async (trx) => {
      const booking = await bookingRepository.findById(trx, id)
      if (!booking || booking.holdExpiresAt > now.toISOString()) return undefined
      return moveBooking(trx, booking, 'expire', now, { cancelledBy: 'system' })
    })
    if (moved) {
      expired++
      await forgetTrip(deps, moved.tripId)
    }
  }
  return expired
}

/** Scheduled: confirmed bookings of trips that have ended become completed. */
export async function completeEndedTrips(deps: JobDeps, batch = 500): Promise<number> {
  const now = deps.clock.now()
  let completed = 0
  for (const id of await bookingRepository.idsDueForCompletion(deps.db, now, batch)) {
    const moved = await deps.db.transaction().execute(async (trx) => {
      const booking = await bookingRepository.findById(trx, id)
      return booking && moveBooking(trx, booking, 'complete', now)
    })
    if (moved) completed++
  }
  return completed
}
