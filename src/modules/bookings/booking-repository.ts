import { type Kysely, type Selectable, sql } from 'kysely'
import { serializesWriters } from '../../platform/database/database.js'
import { prepared } from '../../platform/database/prepared.js'
import type { BookingsTable, DB } from '../../platform/database/schema.js'
import { addEvent, type OutboxEvent, outboxRow } from '../../platform/outbox.js'
import { type SeatsTaken, tripRepository } from '../trips/index.js'
import type { Booking, BookingStatus, Canceller, PolicyTier, Refund } from './booking.js'

function toBooking(row: Selectable<BookingsTable>): Booking {
  return {
    id: row.id,
    tripId: row.trip_id,
    userId: row.user_id,
    seats: row.seats,
    status: row.status,
    unitPrice: { amount: row.unit_price, currency: row.currency },
    total: { amount: row.total_amount, currency: row.currency },
    commissionBps: row.commission_bps,
    holdExpiresAt: row.hold_expires_at,
    notes: row.notes,
    refund:
      row.refund_amount === null
        ? null
        : {
            amount: row.refund_amount,
            percent: row.refund_percent ?? 0,
            commission: row.refund_commission ?? 0,
            vendorShare: row.refund_vendor_share ?? 0,
          },
    cancelledBy: row.cancelled_by,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    confirmedAt: row.confirmed_at,
    closedAt: row.closed_at,
  }
}

/** What a booking needs to know of its trip: times, policy, who sells it. */
export interface TripContext {
  tripId: string
  startsAt: string
  endsAt: string
  status: 'published' | 'cancelled'
  price: number
  currency: string
  capacity: number
  seatsTaken: number
  policy: PolicyTier[]
  vendorId: string
  vendorUserId: string
  commissionBps: number
}

export interface BookingWithTrip {
  booking: Booking
  trip: TripContext
}

const tripColumns = [
  't.id as t_id',
  't.starts_at as t_starts_at',
  't.ends_at as t_ends_at',
  't.status as t_status',
  't.price_amount as t_price',
  't.price_currency as t_currency',
  't.capacity as t_capacity',
  't.seats_taken as t_seats_taken',
  't.cancellation_policy as t_policy',
  'v.id as v_id',
  'v.user_id as v_user_id',
  'v.commission_bps as v_commission_bps',
] as const

type TripRow = {
  t_id: string
  t_starts_at: string
  t_ends_at: string
  t_status: 'published' | 'cancelled'
  t_price: number
  t_currency: string
  t_capacity: number
  t_seats_taken: number
  t_policy: string
  v_id: string
  v_user_id: string
  v_commission_bps: number
}

function toTripContext(r: TripRow): TripContext {
  const policy = JSON.parse(r.t_policy) as { tiers: PolicyTier[] }
  return {
    tripId: r.t_id,
    startsAt: r.t_starts_at,
    endsAt: r.t_ends_at,
    status: r.t_status,
    price: r.t_price,
    currency: r.t_currency,
    capacity: r.t_capacity,
    seatsTaken: r.t_seats_taken,
    policy: policy.tiers,
    vendorId: r.v_id,
    vendorUserId: r.v_user_id,
    commissionBps: r.v_commission_bps,
  }
}

/** A pending booking about to be placed, before the trip's price is known. */
export interface Placement {
  id: string
  tripId: string
  userId: string
  seats: number
  holdExpiresAt: string
  notes: string | null
  requestKey: string | null
  defaultCommissionBps: number
  maxHeldSeats: number
  event: OutboxEvent
}

export interface BookingListFilter {
  userId?: string
  vendorId?: string
  status?: BookingStatus
  beforeId?: string
  limit: number
}

const holdSeatsQuery = prepared((db, userId: string, seats: number, limit: number) =>
  db
    .updateTable('users')
    .set((eb) => ({ held_seats: eb('held_seats', '+', seats) }))
    .where('id', '=', userId)
    .where((eb) => eb(eb('held_seats', '+', seats), '<=', limit)),
)

const insertPendingQuery = prepared(
  (
    db,
    id: string,
    tripId: string,
    userId: string,
    seats: number,
    unitPrice: number,
    total: number,
    currency: string,
    commissionBps: number,
    holdExpiresAt: string,
    notes: string | null,
    requestKey: string | null,
    at: string,
  ) =>
    db.insertInto('bookings').values({
      id,
      trip_id: tripId,
      user_id: userId,
      seats,
      status: 'pending',
      unit_price: unitPrice,
      total_amount: total,
      currency,
      commission_bps: commissionBps,
      hold_expires_at: holdExpiresAt,
      notes,
      request_key: requestKey,
      refund_amount: null,
      refund_commission: null,
      refund_vendor_share: null,
      refund_percent: null,
      cancelled_by: null,
      cancel_reason: null,
      created_at: at,
      updated_at: at,
      confirmed_at: null,
      closed_at: null,
    }),
)

/** PostgreSQL: the traveller's hold, the trip's seats, the booking and its event in one statement. */
const placeQuery = prepared(
  (
    _db,
    userId: string,
    seats: number,
    maxHeldSeats: number,
    tripId: string,
    at: string,
    id: string,
    defaultCommissionBps: number,
    holdExpiresAt: string,
    notes: string | null,
    requestKey: string | null,
    eventId: string,
    eventType: string,
    payload: string,
  ) => sql<SeatsTaken>`
    with u as (
      update users set held_seats = held_seats + ${seats}::integer
      where id = ${userId} and held_seats + ${seats}::integer <= ${maxHeldSeats}::integer
      returning id
    ), t as (
      update trips set seats_taken = seats_taken + ${seats}::integer
      where id = ${tripId} and status = 'published' and starts_at > ${at}::timestamptz
        and seats_taken + ${seats}::integer <= capacity and exists (select 1 from u)
      returning id, price_amount, price_currency,
        (select commission_bps from vendors where vendors.id = trips.vendor_id) as commission_bps
    ), b as (
      insert into bookings (id, trip_id, user_id, seats, status, unit_price, total_amount, currency,
        commission_bps, hold_expires_at, notes, request_key, created_at, updated_at)
      select ${id}, t.id, ${userId}, ${seats}::integer, 'pending', t.price_amount,
        t.price_amount * ${seats}::integer, t.price_currency,
        coalesce(t.commission_bps, ${defaultCommissionBps}::integer), ${holdExpiresAt}::timestamptz,
        ${notes}::text, ${requestKey}::text, ${at}::timestamptz, ${at}::timestamptz
      from t
      returning id
    ), e as (
      insert into outbox (id, type, aggregate_id, payload, created_at, available_at, attempts)
      select ${eventId}, ${eventType}, b.id, ${payload}, ${at}::timestamptz, ${at}::timestamptz, 0 from b
    )
    select price_amount, price_currency, commission_bps from t
  `,
)

const findWithSellerQuery = prepared((db, id: string) =>
  db
    .selectFrom('bookings as b')
    .innerJoin('trips as t', 't.id', 'b.trip_id')
    .innerJoin('vendors as v', 'v.id', 't.vendor_id')
    .selectAll('b')
    .select('v.user_id as vendor_user_id')
    .where('b.id', '=', id),
)

export const bookingRepository = {
  async tripContext(db: Kysely<DB>, tripId: string): Promise<TripContext | undefined> {
    const row = await db
      .selectFrom('trips as t')
      .innerJoin('vendors as v', 'v.id', 't.vendor_id')
      .select(tripColumns)
      .where('t.id', '=', tripId)
      .executeTakeFirst()
    return row && toTripContext(row)
  },

  /**
   * Takes the traveller's hold (the hold-limit guard) and the trip's seats (the capacity guard),
   * writes the pending booking at the trip's current price, and its event. On PostgreSQL that is one
   * statement (data-modifying CTEs: one round trip instead of four); on SQLite, four in-process
   * statements. Undefined: a guard said no, and no booking was written (on PostgreSQL the hold may
   * have been taken: the caller rolls the transaction back, as it does on every refusal).
   */
  async place(db: Kysely<DB>, p: Placement, now: Date): Promise<SeatsTaken | undefined> {
    const at = now.toISOString()
    if (serializesWriters(db)) {
      if (!(await bookingRepository.holdSeats(db, p.userId, p.seats, p.maxHeldSeats))) return undefined
      const taken = await tripRepository.takeSeats(db, p.tripId, p.seats, at)
      if (!taken) {
        await bookingRepository.releaseHold(db, p.userId, p.seats)
        return undefined
      }
      const commission = taken.commission_bps ?? p.defaultCommissionBps
      await insertPendingQuery(
        db,
        p.id,
        p.tripId,
        p.userId,
        p.seats,
        taken.price_amount,
        taken.price_amount * p.seats,
        taken.price_currency,
        commission,
        p.holdExpiresAt,
        p.notes,
        p.requestKey,
        at,
      )
      await addEvent(db, p.event, now)
      return taken
    }
    const e = outboxRow(p.event, now)
    const result = await placeQuery(
      db,
      p.userId,
      p.seats,
      p.maxHeldSeats,
      p.tripId,
      at,
      p.id,
      p.defaultCommissionBps,
      p.holdExpiresAt,
      p.notes,
      p.requestKey,
      e.id,
      e.type,
      e.payload,
    )
    return result.rows[0]
  },

  async findById(db: Kysely<DB>, id: string): Promise<Booking | undefined> {
    const row = await db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toBooking(row)
  },

  async findWithTrip(db: Kysely<DB>, id: string): Promise<BookingWithTrip | undefined> {
    const row = await db
      .selectFrom('bookings as b')
      .innerJoin('trips as t', 't.id', 'b.trip_id')
      .innerJoin('vendors as v', 'v.id', 't.vendor_id')
      .selectAll('b')
      .select(tripColumns)
      .where('b.id', '=', id)
      .executeTakeFirst()
    return row && { booking: toBooking(row), trip: toTripContext(row) }
  },

  /** A booking and the user id of the vendor selling its trip: what reading it needs, nothing more. */
  async findWithSeller(
    db: Kysely<DB>,
    id: string,
  ): Promise<{ booking: Booking; vendorUserId: string } | undefined> {
    const row = (await findWithSellerQuery(db, id)).rows[0]
    return row && { booking: toBooking(row), vendorUserId: row.vendor_user_id }
  },

  async findByRequestKey(db: Kysely<DB>, userId: string, key: string): Promise<Booking | undefined> {
    const row = await db
      .selectFrom('bookings')
      .selectAll()
      .where('user_id', '=', userId)
      .where('request_key', '=', key)
      .executeTakeFirst()
    return row && toBooking(row)
  },

  /**
   * The hold-limit guard: adds seats to the traveller's held count only if it stays within the
   * limit, in one conditional UPDATE (as trips.seats_taken): concurrent bookings of one traveller
   * cannot both slip under it. False: over the limit, nothing changed.
   */
  async holdSeats(db: Kysely<DB>, userId: string, seats: number, limit: number): Promise<boolean> {
    return Number((await holdSeatsQuery(db, userId, seats, limit)).numAffectedRows) === 1
  },

  async releaseHold(db: Kysely<DB>, userId: string, seats: number): Promise<void> {
    await db
      .updateTable('users')
      .set((eb) => ({ held_seats: eb('held_seats', '-', seats) }))
      .where('id', '=', userId)
      .execute()
  },

  async heldSeats(db: Kysely<DB>, userId: string): Promise<number> {
    const row = await db.selectFrom('users').select('held_seats').where('id', '=', userId).executeTakeFirst()
    return row?.held_seats ?? 0
  },

  async pendingOfUser(db: Kysely<DB>, userId: string) {
    return db
      .selectFrom('bookings')
      .select(['id', 'trip_id', 'seats', 'hold_expires_at'])
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .execute()
  },

  /**
   * Moves a booking from one of `from` to `to`, only if it is still there: of two racing moves,
   * exactly one wins. Returns whether this one did.
   */
  async move(
    db: Kysely<DB>,
    id: string,
    from: readonly BookingStatus[],
    to: BookingStatus,
    now: Date,
    extra: { refund?: Refund; cancelledBy?: Canceller; reason?: string | null } = {},
  ): Promise<boolean> {
    const at = now.toISOString()
    const result = await db
      .updateTable('bookings')
      .set({
        status: to,
        updated_at: at,
        ...(to === 'confirmed' ? { confirmed_at: at } : { closed_at: at }),
        ...(extra.refund && {
          refund_amount: extra.refund.amount,
          refund_percent: extra.refund.percent,
          refund_commission: extra.refund.commission,
          refund_vendor_share: extra.refund.vendorShare,
        }),
        ...(extra.cancelledBy && { cancelled_by: extra.cancelledBy, cancel_reason: extra.reason ?? null }),
      })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  async changeSeats(
    db: Kysely<DB>,
    id: string,
    seats: number,
    unitPrice: number,
    now: Date,
  ): Promise<boolean> {
    const result = await db
      .updateTable('bookings')
      .set({ seats, total_amount: seats * unitPrice, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  },

  async changeNotes(db: Kysely<DB>, id: string, notes: string | null, now: Date): Promise<void> {
    await db
      .updateTable('bookings')
      .set({ notes, updated_at: now.toISOString() })
      .where('id', '=', id)
      .execute()
  },

  /** Newest first, keyset on id (ids sort by creation time). */
  async list(db: Kysely<DB>, f: BookingListFilter): Promise<Booking[]> {
    let q = db.selectFrom('bookings as b').selectAll('b').orderBy('b.id', 'desc').limit(f.limit)
    if (f.userId) q = q.where('b.user_id', '=', f.userId)
    if (f.vendorId) {
      const vendorId = f.vendorId
      q = q.where('b.trip_id', 'in', (eb) =>
        eb.selectFrom('trips').select('id').where('vendor_id', '=', vendorId),
      )
    }
    if (f.status) q = q.where('b.status', '=', f.status)
    if (f.beforeId) q = q.where('b.id', '<', f.beforeId)
    return (await q.execute()).map(toBooking)
  },

  async idsDueForExpiry(db: Kysely<DB>, now: Date, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('bookings')
      .select('id')
      .where('status', '=', 'pending')
      .where('hold_expires_at', '<=', now.toISOString())
      .orderBy('hold_expires_at')
      .limit(limit)
      .execute()
    return rows.map((r) => r.id)
  },

  async idsDueForCompletion(db: Kysely<DB>, now: Date, limit: number): Promise<string[]> {
    const rows = await db
      .selectFrom('bookings as b')
      .innerJoin('trips as t', 't.id', 'b.trip_id')
      .select('b.id')
      .where('b.status', '=', 'confirmed')
      .where('t.ends_at', '<=', now.toISOString())
      .orderBy('b.id')
      .limit(limit)
      .execute()
    return rows.map((r) => r.id)
  },

  async liveIdsOfTrip(db: Kysely<DB>, tripId: string): Promise<string[]> {
    const rows = await db
      .selectFrom('bookings')
      .select('id')
      .where('trip_id', '=', tripId)
      .where('status', 'in', ['pending', 'confirmed'])
      .execute()
    return rows.map((r) => r.id)
  },
}
