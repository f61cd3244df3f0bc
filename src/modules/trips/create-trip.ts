import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { newId } from '../../shared/ids.js'
import { VendorNotApprovedError, VendorRequiredError, vendorRepository } from '../vendors/index.js'
import { productOfOne } from './product.js'
import { productRepository } from './product-repository.js'
import { type CancellationPolicy, DEFAULT_POLICY, type Trip, tripProblems } from './trip.js'
import { forgetTrip } from './trip-cache.js'
import { tripRepository } from './trip-repository.js'

export type NewTrip = Pick<
  Trip,
  'title' | 'description' | 'location' | 'startsAt' | 'endsAt' | 'timezone' | 'price' | 'capacity'
> & { cancellationPolicy?: CancellationPolicy }

/** Instants are stored in UTC whatever offset the client wrote them with. */
export const toUtc = (instant: string) => new Date(instant).toISOString()

/** The vendor profile behind an actor, which must be approved to sell. */
export async function approvedVendorOf(db: Kysely<DB>, actor: Actor) {
  const vendor = await vendorRepository.findByUserId(db, actor.userId)
  if (!vendor) throw new VendorRequiredError()
  if (vendor.status !== 'approved') throw new VendorNotApprovedError(vendor.status)
  return vendor
}

export async function createTrip(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  input: NewTrip,
): Promise<Trip> {
  const vendor = await approvedVendorOf(deps.db, actor)
  const now = deps.clock.now()
  const fields = {
    startsAt: toUtc(input.startsAt),
    endsAt: toUtc(input.endsAt),
    timezone: input.timezone,
    price: input.price,
    cancellationPolicy: input.cancellationPolicy ?? DEFAULT_POLICY,
  }
  const problems = tripProblems(fields, now)
  if (problems.length > 0) throw new ValidationError(problems)
  const at = now.toISOString()
  const productId = newId('prd', now.getTime())
  const trip: Trip = {
    id: newId('trp', now.getTime()),
    productId,
    vendorId: vendor.id,
    title: input.title.trim(),
    description: input.description,
    location: input.location.trim(),
    ...fields,
    capacity: input.capacity,
    seatsTaken: 0,
    status: 'published',
    createdAt: at,
    updatedAt: at,
  }
  // A trip published on its own is a product of one departure (what resellers see).
  await inTransaction(deps.db, async (trx) => {
    await productRepository.insert(trx, productOfOne(trip, productId))
    await tripRepository.insert(trx, trip)
  })
  await forgetTrip(deps, trip.id)
  return trip
}
