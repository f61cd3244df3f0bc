import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type BookingStatus,
  cancelBooking,
  completeEndedTrips,
  confirmBooking,
  createBooking,
  expireHolds,
  nextStatus,
  updateBooking,
} from '../../../src/modules/bookings/index.js'
import { createCancellationRefunds, createMockGateway } from '../../../src/modules/payments/index.js'
import { DEFAULT_POLICY } from '../../../src/modules/trips/index.js'
import { tripRepository } from '../../../src/modules/trips/trip-repository.js'
import { userRepository } from '../../../src/modules/users/index.js'
import { vendorRepository } from '../../../src/modules/vendors/index.js'
import { createMemoryCache } from '../../../src/platform/cache/memory-cache.js'
import { createAddressLimits } from '../../../src/platform/security/throttle.js'
import type { Actor } from '../../../src/shared/actor.js'
import { ManualClock } from '../../../src/shared/clock.js'
import { AppError } from '../../../src/shared/errors.js'
import { newId } from '../../../src/shared/ids.js'
import { expectConsistentBooks } from '../../support/invariants.js'
import { dialects, givenMigratedDatabase } from '../../support/stacks.js'

/** Statuses a booking can reach from `from` in one or more moves (a batch may make several). */
function reachable(from: BookingStatus): BookingStatus[] {
  const out = new Set<BookingStatus>()
  const walk = (s: BookingStatus) => {
    for (const m of ['confirm', 'expire', 'cancel', 'complete'] as const) {
      const to = nextStatus(s, m)
      if (to && !out.has(to)) {
        out.add(to)
        walk(to)
      }
    }
  }
  walk(from)
  return [...out]
}

const MINUTE = 60_000
const DAY = 86_400_000

type Command =
  | { op: 'book'; who: number; seats: number }
  | { op: 'seats'; pick: number; seats: number }
  | { op: 'cancel'; pick: number; byVendor: boolean }
  | { op: 'pay'; pick: number }
  | { op: 'wait'; minutes: number }

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('book' as const),
      who: fc.nat(3),
      seats: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('seats' as const),
      pick: fc.nat(),
      seats: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), byVendor: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pay' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 20 }) }),
  },
)

describe.each(dialects)('booking invariants under random sequences on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof givenMigratedDatabase>>
  const clock = new ManualClock('2031-01-01T00:00:00.000Z')
  const travellers: Actor[] = []
  let vendorActor: Actor
  let vendorId: string
  beforeAll(async () => {
    database = await givenMigratedDatabase(dialect)
    const now = clock.now()
    const insertUser = (role: 'traveler' | 'vendor') =>
      userRepository.insert(database.db, {
        id: newId('usr'),
        email: `${newId('req')}@example.com`,
        name: 'P',
        phone: null,
        language: null,
        passwordHash: 'x',
        role,
        now,
      })
    for (let i = 0; i < 4; i++)
      travellers.push({ userId: (await insertUser('traveler')).id, role: 'traveler', sessionId: 's' })
    const vendorUser = await insertUser('vendor')
    vendorActor = { userId: vendorUser.id, role: 'vendor', sessionId: 's' }
    vendorId = newId('vnd')
    const at = now.toISOString()
    await vendorRepository.insert(database.db, {
      id: vendorId,
      userId: vendorUser.id,
      businessName: 'P',
      phone: '+1 555 0100',
      payoutAccount: null,
      payoutSchedule: 'weekly',
      status: 'approved',
      commissionBps: 2000,
      statusReason: null,
      createdAt: at,
      updatedAt: at,
    })
  })
  afterAll(() => database.drop())

  it('when book, change seats, pay, cancel, expire and complete happen in any order and several at once, then seats, holds and events add up and every booking moved legally', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        async (capacity, batches) => {
          const deps = {
            db: database.db,
            clock,
            cache: createMemoryCache(),
            holdMinutes: 15,
            maxHeldSeats: 10,
            refunds: createCancellationRefunds({
              db: database.db,
              clock,
              gateway: createMockGateway({ db: database.db, clock }),
            }),
            addressLimits: createAddressLimits(createMemoryCache(), {
              registrationsPerHour: 1000,
              heldSeats: 1_000_000,
              holdMinutes: 15,
            }),
          }
          const tripId = newId('trp')
          const startsAt = new Date(clock.now().getTime() + 30 * DAY).toISOString()
          const at = clock.now().toISOString()
          await tripRepository.insert(database.db, {
            id: tripId,
            vendorId,
            title: 'Property trip',
            description: '',
            location: 'Anywhere',
            startsAt,
            endsAt: new Date(Date.parse(startsAt) + DAY).toISOString(),
            timezone: 'UTC',
            price: { amount: 1999, currency: 'EUR' },
            capacity,
            seatsTaken: 0,
            cancellationPolicy: DEFAULT_POLICY,
            status: 'published',
            createdAt: at,
            updatedAt: at,
            productId: null,
          })
          const ids: string[] = []
          const seen = new Map<string, BookingStatus>()

          const check = async () => {
            await expectConsistentBooks(database.db, tripId)
            const rows = await database.db
              .selectFrom('bookings')
              .select(['id', 'status'])
              .where('trip_id', '=', tripId)
              .execute()
            for (const r of rows) {
              const before = seen.get(r.id)
              if (before && before !== r.status) {
                expect(reachable(before).includes(r.status), `${before} → ${r.status}`).toBe(true)
              }
              seen.set(r.id, r.status)
            }
          }

          const tolerate = async (run: () => Promise<unknown>) => {
            try {
              await run()
            } catch (err) {
              if (!(err instanceof AppError)) throw err // refusals are fine; anything else is a bug
            }
          }
          const run = async (c: Command) => {
            const pick = () => ids[('pick' in c ? c.pick : 0) % Math.max(ids.length, 1)]
            if (c.op === 'book') {
              await tolerate(async () =>
                ids.push(
                  (await createBooking(deps, travellers[c.who]!, { tripId, seats: c.seats, ip: 'test' })).id,
                ),
              )
            } else if (c.op === 'seats' && ids.length > 0) {
              const id = pick()!
              const owner = travellers.find(async () => true)!
              const row = await database.db
                .selectFrom('bookings')
                .select('user_id')
                .where('id', '=', id)
                .executeTakeFirstOrThrow()
              await tolerate(() =>
                updateBooking(
                  deps,
                  { ...owner, userId: row.user_id },
                  { bookingId: id, seats: c.seats, ip: 'test' },
                ),
              )
            } else if (c.op === 'cancel' && ids.length > 0) {
              const id = pick()!
              const row = await database.db
                .selectFrom('bookings')
                .select('user_id')
                .where('id', '=', id)
                .executeTakeFirstOrThrow()
              const actor = c.byVendor
                ? vendorActor
                : { userId: row.user_id, role: 'traveler' as const, sessionId: 's' }
              await tolerate(() => cancelBooking(deps, actor, { bookingId: id }))
            } else if (c.op === 'pay' && ids.length > 0) {
              await tolerate(() => confirmBooking(deps, pick()!))
            } else if (c.op === 'wait') {
              clock.advance(c.minutes * MINUTE)
              await expireHolds(deps)
            }
          }
          // Each batch runs at once, as concurrent requests would; the books are checked between batches.
          for (const batch of batches) {
            await Promise.all(batch.map(run))
            await check()
          }
          // Finally the trip runs and ends: confirmed bookings complete, pending ones expire.
          clock.advance(32 * DAY)
          await expireHolds(deps)
          await completeEndedTrips(deps)
          await check()
          const left = await database.db
            .selectFrom('bookings')
            .select('status')
            .where('trip_id', '=', tripId)
            .where('status', 'in', ['pending', 'confirmed'])
            .execute()
          expect(left).toEqual([])
        },
      ),
      { numRuns: 40 },
    )
  })
})
