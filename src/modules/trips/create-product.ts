import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { newId } from '../../shared/ids.js'
import type { Money } from '../../shared/money.js'
import { isTimeZone } from '../../shared/time.js'
import { approvedVendorOf } from './create-trip.js'
import { departureTimes, type Product, type Schedule, scheduleProblems } from './product.js'
import { productRepository } from './product-repository.js'
import { type CancellationPolicy, DEFAULT_POLICY, type Trip, tripProblems } from './trip.js'
import { forgetTrip } from './trip-cache.js'
import { tripRepository } from './trip-repository.js'

export interface NewProduct {
  title: string
  description: string
  location: string
  timezone: string
  durationMinutes: number
  price: Money
  capacity: number
  cancellationPolicy?: CancellationPolicy
  schedule: Exclude<Schedule, { kind: 'single' }>
}

/**
 * Publishes a product and its departures: one trip per start time the schedule lays out after now,
 * each with the product's capacity, price and policy (changed later one by one like any trip), in one
 * transaction.
 */
export async function createProduct(
  deps: { db: Kysely<DB>; clock: Clock; cache: Cache; log?: { warn(obj: object, msg: string): void } },
  actor: Actor,
  input: NewProduct,
): Promise<{ product: Product; departures: Trip[] }> {
  const vendor = await approvedVendorOf(deps.db, actor)
  const now = deps.clock.now()
  const scheduleErrors = scheduleProblems(input.schedule)
  if (!isTimeZone(input.timezone))
    scheduleErrors.push({ field: 'timezone', message: 'is not a known IANA time zone' })
  if (scheduleErrors.length > 0) throw new ValidationError(scheduleErrors)
  const times = departureTimes(input.schedule, input.timezone, input.durationMinutes, now)
  const policy = input.cancellationPolicy ?? DEFAULT_POLICY
  const problems = tripProblems(
    {
      startsAt: times[0]?.startsAt ?? new Date(now.getTime() + 1).toISOString(),
      endsAt: times[0]?.endsAt ?? new Date(now.getTime() + 2).toISOString(),
      timezone: input.timezone,
      price: input.price,
      cancellationPolicy: policy,
    },
    now,
  ).map((p) => (p.field === 'starts_at' || p.field === 'ends_at' ? { ...p, field: 'schedule' } : p))
  if (times.length === 0) problems.push({ field: 'schedule', message: 'lays out no departure in the future' })
  if (problems.length > 0) throw new ValidationError(problems)
  const at = now.toISOString()
  const product: Product = {
    id: newId('prd', now.getTime()),
    vendorId: vendor.id,
    title: input.title.trim(),
    description: input.description,
    location: input.location.trim(),
    timezone: input.timezone,
    durationMinutes: input.durationMinutes,
    schedule: input.schedule,
    createdAt: at,
    updatedAt: at,
  }
  const departures = times.map(
    (t): Trip => ({
      id: newId('trp', now.getTime()),
      vendorId: vendor.id,
      productId: product.id,
      title: product.title,
      description: product.description,
      location: product.location,
      startsAt: t.startsAt,
      endsAt: t.endsAt,
      timezone: product.timezone,
      price: input.price,
      capacity: input.capacity,
      seatsTaken: 0,
      cancellationPolicy: policy,
      status: 'published',
      createdAt: at,
      updatedAt: at,
    }),
  )
  await inTransaction(deps.db, async (trx) => {
    await productRepository.insert(trx, product)
    for (const trip of departures) await tripRepository.insert(trx, trip)
  })
  await forgetTrip(deps, departures[0]!.id)
  return { product, departures }
}
