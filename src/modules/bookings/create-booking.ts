import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import { isUniqueViolation } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { AddressLimits } from '../../platform/security/throttle.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { newId } from '../../shared/ids.js'
import { forgetTrip, TripNotFoundError } from '../trips/index.js'
import { DEFAULT_COMMISSION_BPS } from '../vendors/index.js'
import {
  type Booking,
  type Channel,
  type Contact,
  holdExpiry,
  type ResellerSale,
  resellerNet,
  type UnitItem,
} from './booking.js'
import { HoldLimitError, SoldOutError, TravellersOnlyError, TripNotBookableError } from './booking-errors.js'
import { bookingRepository, type Placement } from './booking-repository.js'
import { expireBooking } from './expire-booking.js'

export interface CreateBookingDeps {
  db: Kysely<DB>
  clock: Clock
  cache: Cache
  holdMinutes: number
  maxHeldSeats: number
  addressLimits: AddressLimits
  log?: { warn(obj: object, msg: string): void }
}

/** Thrown inside the placing transaction to roll back what the other guard took. */
class HoldRefused extends Error {}

/**
 * Holds seats for a traveller. The price is the trip's, the user the token's. In one transaction the
 * trip's seats are taken by the capacity guard, the traveller's hold by the hold-limit guard, and the
 * booking and its event are written (one statement on PostgreSQL). When the hold limit refuses, holds
 * of this traveller past their time (not yet reached by the expiry job) are expired, each locked in its
 * own transaction, and the booking is tried once more.
 */
export async function createBooking(
  deps: CreateBookingDeps,
  actor: Actor,
  input: { tripId: string; seats: number; notes?: string | null; requestKey?: string; ip: string },
): Promise<Booking> {
  if (actor.role !== 'traveler') throw new TravellersOnlyError()
  const buyer: Buyer = {
    userId: actor.userId,
    maxHeldSeats: deps.maxHeldSeats,
    holdMinutes: deps.holdMinutes,
  }
  if (input.seats > deps.maxHeldSeats) throw await holdLimit(deps, buyer)
  await deps.addressLimits.checkHold(input.ip, input.seats)
  const requestKey = input.requestKey ?? null
  if (requestKey) {
    // A retry of a request that committed before its answer was stored finds its booking.
    const earlier = await bookingRepository.findByRequestKey(deps.db, actor.userId, requestKey)
    if (earlier) return earlier
  }
  let booking: Booking
  try {
    booking = await placeForBuyer(deps, buyer, { ...input, requestKey })
  } catch (err) {
    if (requestKey && isUniqueViolation(err)) {
      const earlier = await bookingRepository.findByRequestKey(deps.db, actor.userId, requestKey)
      if (earlier) return earlier
    }
    throw err
  }
  await deps.addressLimits.recordHold(input.ip, booking.seats)
  await forgetTrip(deps, booking.tripId)
  return booking
}

/** Who a booking is placed for: a traveller, or a reseller's account with its sale. */
export interface Buyer {
  userId: string
  maxHeldSeats: number
  holdMinutes: number
  sale?: {
    resellerId: string
    accessId: string
    commissionBps: number
    uuid: string
    reference: string | null
    contact: Contact
    unitItems: UnitItem[]
  }
}

/**
 * Places a booking through both guards. When the hold limit refuses, holds of this buyer past their
 * time (not yet reached by the expiry job) are expired, each locked in its own transaction, and the
 * booking is tried once more.
 */
export async function placeForBuyer(
  deps: CreateBookingDeps,
  buyer: Buyer,
  input: { tripId: string; seats: number; notes?: string | null; requestKey: string | null },
): Promise<Booking> {
  try {
    return await place(deps, buyer, input)
  } catch (err) {
    if (!(err instanceof HoldRefused)) throw err
    const now = deps.clock.now()
    const overdue = await bookingRepository.overdueHoldsOf(deps.db, buyer.userId, now)
    if (overdue.length === 0) throw await holdLimit(deps, buyer)
    for (const id of overdue) await expireBooking(deps.db, id, now)
    try {
      return await place(deps, buyer, input)
    } catch (again) {
      throw again instanceof HoldRefused ? await holdLimit(deps, buyer) : again
    }
  }
}

async function holdLimit(deps: CreateBookingDeps, buyer: Buyer): Promise<HoldLimitError> {
  return new HoldLimitError(buyer.maxHeldSeats, await bookingRepository.heldSeats(deps.db, buyer.userId))
}

function place(
  deps: CreateBookingDeps,
  buyer: Buyer,
  input: { tripId: string; seats: number; notes?: string | null; requestKey: string | null },
): Promise<Booking> {
  const now = deps.clock.now()
  const at = now.toISOString()
  const channel: Channel = buyer.sale ? 'octo' : 'direct'
  return inTransaction(deps.db, async (trx) => {
    const id = newId('bkg', now.getTime())
    const holdExpiresAt = holdExpiry(now, buyer.holdMinutes)
    const notes = input.notes ?? null
    const placement: Placement = {
      id,
      tripId: input.tripId,
      userId: buyer.userId,
      seats: input.seats,
      holdExpiresAt,
      notes,
      requestKey: input.requestKey,
      defaultCommissionBps: DEFAULT_COMMISSION_BPS,
      maxHeldSeats: buyer.maxHeldSeats,
      event: {
        type: 'booking.created',
        aggregateId: id,
        payload: {
          booking_id: id,
          trip_id: input.tripId,
          user_id: buyer.userId,
          seats: input.seats,
          hold_expires_at: holdExpiresAt,
          channel,
          ...(buyer.sale && { reseller_id: buyer.sale.resellerId }),
        },
      },
    }
    const outcome = await bookingRepository.place(trx, placement, now)
    if ('refused' in outcome) {
      if (outcome.refused === 'hold') throw new HoldRefused()
      const trip = await bookingRepository.tripContext(trx, input.tripId)
      if (!trip) throw new TripNotFoundError(input.tripId)
      if (trip.status !== 'published') throw new TripNotBookableError('This trip is cancelled.')
      if (trip.vendorStatus !== 'approved')
        throw new TripNotBookableError("This trip's vendor is not taking bookings now.")
      if (trip.startsAt <= at) throw new TripNotBookableError('This trip has already left.')
      throw new SoldOutError(Math.max(0, trip.capacity - trip.seatsTaken))
    }
    const { unitPrice, currency, commissionBps } = outcome.placed
    const total = unitPrice * input.seats
    let reseller: ResellerSale | null = null
    if (buyer.sale) {
      const { commissionBps: resellerBps, ...sale } = buyer.sale
      reseller = { ...sale, net: resellerNet(total, resellerBps) }
      // The uuid's unique index makes a second booking with it fail here, rolling this one back.
      await bookingRepository.attachSale(trx, id, reseller)
    }
    return {
      id,
      tripId: input.tripId,
      userId: buyer.userId,
      seats: input.seats,
      status: 'pending',
      unitPrice: { amount: unitPrice, currency },
      total: { amount: total, currency },
      commissionBps: commissionBps ?? DEFAULT_COMMISSION_BPS,
      holdExpiresAt,
      notes,
      refund: null,
      cancelledBy: null,
      cancelReason: null,
      createdAt: at,
      updatedAt: at,
      confirmedAt: null,
      closedAt: null,
      channel,
      reseller,
    }
  })
}
