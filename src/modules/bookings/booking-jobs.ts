import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Clock } from '../../shared/clock.js'
import { forgetTrip } from '../trips/index.js'
import { bookingRepository } from './booking-repository.js'
import { expireBooking } from './expire-booking.js'
import { moveBooking } from './move-booking.js'

type JobDeps = { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } }

/**
 * Scheduled: pending bookings past their hold expire and their seats come back, each in its own
 * transaction (see expireBooking). Safe to run on several workers at once. Returns how many expired.
 */
export async function expireHolds(deps: JobDeps, batch = 500): Promise<number> {
  const now = deps.clock.now()
  let expired = 0
  for (const id of await bookingRepository.idsDueForExpiry(deps.db, now, batch)) {
    const moved = await expireBooking(deps.db, id, now)
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
    const moved = await inTransaction(deps.db, async (trx) => {
      const found = await bookingRepository.lock(trx, id)
      if (!found || found.trip.endsAt > now.toISOString()) return undefined
      return moveBooking(trx, found.booking, 'complete', now)
    })
    if (moved) completed++
  }
  return completed
}
