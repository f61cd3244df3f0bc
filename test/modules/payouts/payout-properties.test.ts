import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { completeEndedTrips, createBooking } from '../../../src/modules/bookings/index.js'
import { createMockGateway } from '../../../src/modules/payments/index.js'
import { payBooking } from '../../../src/modules/payments/pay-booking.js'
import { refundPayment } from '../../../src/modules/payments/refund-payment.js'
import { payoutHandlers, runPayouts, vendorShareOf } from '../../../src/modules/payouts/index.js'
import { DEFAULT_POLICY } from '../../../src/modules/trips/index.js'
import { tripRepository } from '../../../src/modules/trips/trip-repository.js'
import { userRepository } from '../../../src/modules/users/index.js'
import { vendorRepository } from '../../../src/modules/vendors/index.js'
import { createMemoryCache } from '../../../src/platform/cache/memory-cache.js'
import { createLogger } from '../../../src/platform/logger.js'
import { deliverDueEvents } from '../../../src/platform/queue/in-process-queue.js'
import { createAddressLimits } from '../../../src/platform/security/throttle.js'
import type { Actor } from '../../../src/shared/actor.js'
import { ManualClock } from '../../../src/shared/clock.js'
import { AppError } from '../../../src/shared/errors.js'
import { newId } from '../../../src/shared/ids.js'
import { dialects, givenMigratedDatabase } from '../../support/stacks.js'

const DAY = 86_400_000

type Command =
  | { op: 'sell'; price: number; seats: number }
  | { op: 'refund'; pick: number; part: number }
  | { op: 'wait'; days: number }
  | { op: 'payout'; runs: number }
  | { op: 'account'; rejects: boolean }

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('sell' as const),
    price: fc.integer({ min: 1, max: 40_000 }),
    seats: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    op: fc.constant('refund' as const),
    pick: fc.nat(),
    part: fc.double({ min: 0.01, max: 1, noNaN: true }),
  }),
  fc.record({ op: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ op: fc.constant('payout' as const), runs: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('account' as const), rejects: fc.boolean() }),
)

describe.each(dialects)('vendor ledger under random sequences on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof givenMigratedDatabase>>
  const clock = new ManualClock('2031-01-06T00:00:00.000Z')
  const admin: Actor = { userId: 'usr_admin', role: 'admin', sessionId: 's' }
  let traveller: Actor

  beforeAll(async () => {
    database = await givenMigratedDatabase(dialect)
    const now = clock.now()
    const insertUser = async (role: 'traveler') =>
      (
        await userRepository.insert(database.db, {
          id: newId('usr'),
          email: `${newId('req')}@example.com`,
          name: 'P',
          phone: null,
          language: null,
          passwordHash: 'x',
          role,
          now,
        })
      ).id
    traveller = { userId: await insertUser('traveler'), role: 'traveler', sessionId: 's' }
  })
  afterAll(() => database.drop())

  it('when sales, refunds, completions and payout runs (several at once) come in any order, then the ledger adds up and no period is paid twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const db = database.db
        const at = clock.now().toISOString()
        const vendorId = newId('vnd')
        // A vendor of its own per run (a user has one vendor account), so each run's ledger starts empty.
        const owner = await userRepository.insert(db, {
          id: newId('usr'),
          email: `${newId('req')}@example.com`,
          name: 'V',
          phone: null,
          language: null,
          passwordHash: 'x',
          role: 'vendor',
          now: clock.now(),
        })
        await vendorRepository.insert(db, {
          id: vendorId,
          userId: owner.id,
          businessName: 'P',
          phone: '+1 555 0100',
          payoutAccount: 'acct_property',
          payoutSchedule: 'weekly',
          status: 'approved',
          commissionBps: 2000,
          statusReason: null,
          createdAt: at,
          updatedAt: at,
        })
        const gateway = createMockGateway({ db, clock })
        const deps = {
          db,
          clock,
          gateway,
          cache: createMemoryCache(),
          holdMinutes: 15,
          maxHeldSeats: 10,
          addressLimits: createAddressLimits(createMemoryCache(), {
            registrationsPerHour: 1000,
            heldSeats: 1_000_000,
            holdMinutes: 15,
          }),
          payoutMinimum: '50.00',
          dialect,
          log: createLogger('silent'),
        }
        const payments: string[] = []
        const deliver = async () => {
          while (
            (await deliverDueEvents(
              { db, clock, log: deps.log, retry: { attempts: 3, backoffMs: 1 } },
              { handlers: payoutHandlers(), schedules: [] },
            )) > 0
          ) {}
        }
        const tolerate = async (run: () => Promise<unknown>) => {
          try {
            await run()
          } catch (err) {
            if (!(err instanceof AppError)) throw err
          }
        }

        const check = async () => {
          await deliver()
          const entries = await db
            .selectFrom('ledger_entries')
            .select(['amount', 'kind'])
            .where('vendor_id', '=', vendorId)
            .execute()
          const ledger = entries.reduce((s, e) => s + Number(e.amount), 0)
          const earned = await db
            .selectFrom('bookings as b')
            .innerJoin('trips as t', 't.id', 'b.trip_id')
            .innerJoin('payments as p', 'p.booking_id', 'b.id')
            .select(['b.commission_bps', 'p.amount', 'p.refunded_amount'])
            .where('t.vendor_id', '=', vendorId)
            .where('b.status', 'in', ['completed', 'cancelled'])
            .where('p.status', '=', 'succeeded')
            .execute()
          const shares = earned.reduce(
            (s, b) => s + vendorShareOf(Number(b.amount) - Number(b.refunded_amount), b.commission_bps),
            0,
          )
          const payouts = await db
            .selectFrom('payouts')
            .selectAll()
            .where('vendor_id', '=', vendorId)
            .execute()
          const paid = payouts.filter((p) => p.status === 'paid').reduce((s, p) => s + Number(p.amount), 0)
          expect(ledger, 'Σ ledger = Σ vendor shares of captured − refunded − paid out').toBe(shares - paid)
          const periods = payouts.map((p) => `${p.currency}/${p.period}`)
          expect(new Set(periods).size, 'one payout per (vendor, currency, period)').toBe(periods.length)
          const transfers = await db
            .selectFrom('mock_gateway_objects')
            .select('key')
            .where('kind', '=', 'transfer')
            .where('key', 'like', `payout:${vendorId}:%`)
            .execute()
          expect(transfers.length, 'one transfer per paid payout').toBe(
            payouts.filter((p) => p.status === 'paid').length,
          )
        }

        for (const c of commands) {
          if (c.op === 'sell') {
            const start = clock.now().getTime() + DAY
            const tripId = newId('trp')
            const now = clock.now().toISOString()
            await tripRepository.insert(db, {
              id: tripId,
              vendorId,
              title: 'T',
              description: '',
              location: 'L',
              startsAt: new Date(start).toISOString(),
              endsAt: new Date(start + 2 * 3_600_000).toISOString(),
              timezone: 'UTC',
              price: { amount: c.price, currency: 'EUR' },
              capacity: 10,
              seatsTaken: 0,
              cancellationPolicy: DEFAULT_POLICY,
              status: 'published',
              createdAt: now,
              updatedAt: now,
              productId: null,
            })
            const booking = await createBooking(deps, traveller, { tripId, seats: c.seats, ip: 'test' })
            const payment = await payBooking(deps, traveller, {
              bookingId: booking.id,
              paymentMethod: 'pm_card_visa',
            })
            payments.push(payment.id)
          } else if (c.op === 'refund' && payments.length > 0) {
            const id = payments[c.pick % payments.length]!
            const p = await db
              .selectFrom('payments')
              .select(['amount', 'refunded_amount'])
              .where('id', '=', id)
              .executeTakeFirstOrThrow()
            const left = Number(p.amount) - Number(p.refunded_amount)
            if (left > 0)
              await tolerate(() =>
                refundPayment(deps, admin, { paymentId: id, amount: Math.max(1, Math.floor(left * c.part)) }),
              )
          } else if (c.op === 'wait') {
            clock.advance(c.days * DAY)
            await completeEndedTrips(deps)
          } else if (c.op === 'payout') {
            await Promise.all(
              Array.from({ length: c.runs }, () => runPayouts(deps, { kind: 'weekly', vendorId })),
            )
          } else if (c.op === 'account') {
            await db
              .updateTable('vendors')
              .set({ payout_account: c.rejects ? 'acct_rejects_x' : 'acct_property' })
              .where('id', '=', vendorId)
              .execute()
          }
          await check()
        }
      }),
      { numRuns: 25 },
    )
  })
})
