import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { toUtc } from './create-trip.js'
import { manageableTrip } from './get-trip.js'
import { type Trip, tripProblems } from './trip.js'
import { forgetTrip } from './trip-cache.js'
import { CapacityBelowTakenError, TripCancelledError } from './trip-errors.js'
import { type TripChange, tripRepository } from './trip-repository.js'

/** Owner vendor or admin. Bookings keep the price they were made at: only the trip row changes. */
export async function updateTrip(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  id: string,
  change: TripChange,
): Promise<Trip> {
  const trip = await manageableTrip(deps.db, actor, id, 'change')
  if (trip.status === 'cancelled') throw new TripCancelledError(id)
  const now = deps.clock.now()
  const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as TripChange
  const normalized: TripChange = {
    ...given,
    ...(change.startsAt !== undefined && { startsAt: toUtc(change.startsAt) }),
    ...(change.endsAt !== undefined && { endsAt: toUtc(change.endsAt) }),
    ...(change.title !== undefined && { title: change.title.trim() }),
    ...(change.location !== undefined && { location: change.location.trim() }),
  }
  const merged = { ...trip, ...normalized }
  const problems = tripProblems(merged, now, normalized.startsAt !== undefined)
  if (problems.length > 0) throw new ValidationError(problems)
  if (!(await tripRepository.update(deps.db, id, normalized, now))) {
    const current = await tripRepository.findById(deps.db, id)
    if (current?.status === 'cancelled') throw new TripCancelledError(id)
    throw new CapacityBelowTakenError(current?.seatsTaken ?? trip.seatsTaken)
  }
  await forgetTrip(deps, id)
  return (await tripRepository.findById(deps.db, id))!
}
