import type { Kysely, QueryCreator, Selectable } from 'kysely'
import { serializesWriters } from '../../platform/database/database.js'
import { prepared } from '../../platform/database/prepared.js'
import type { BookingsTable, DB } from '../../platform/database/schema.js'
import { addEvent, insertEventStatement, type OutboxEvent, outboxRow } from '../../platform/outbox.js'
import { type SeatsTaken, takeSeatsStatement, toSeatsTaken, tripSeats } from '../trips/index.js'
import {
  type Booking,
  type BookingStatus,
  type Canceller,
  type Contact,
  emptyContact,
  type PolicyTier,
  type Refund,
  type ResellerSale,
  type UnitItem,
} from './booking.js'

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
    channel: row.channel,
    reseller:
      row.reseller_id === null
        ? null
        : {
            resellerId: row.reseller_id,
            accessId: row.access_id ?? '',
            uuid: row.octo_uuid ?? '',
            reference: row.reseller_reference,
            contact: JSON.parse(row.contact ?? 'null') ?? emptyContact(),
            unitItems: JSON.parse(row.unit_items ?? '[]'),
            net: row.net_amount ?? 0,
          },
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
  timezone: string
  productId: string | null
  vendorId: string
  vendorUserId: string
  vendorStatus: string
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
  't.timezone as t_timezone',
  't.product_id as t_product_id',
  'v.id as v_id',
  'v.user_id as v_user_id',
  'v.status as v_status',
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
  t_timezone: string
  t_product_id: string | null
  v_id: string
  v_user_id: string
  v_status: string
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
    timezone: r.t_timezone,
    productId: r.t_product_id,
    vendorId: r.v_id,
    vendorUserId: r.v_user_id,
    vendorStatus: r.v_status,
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

/** A placement either took its seats (at this price) or a guard refused it. */
export type PlaceOutcome = { placed: SeatsTaken } | { refused: 'trip' | 'hold' }

export interface BookingListFilter {
  userId?: string
  vendorId?: string
  tripId?: string
  /** Made at or after / before these instants. */
  from?: string
  to?: string
  status?: BookingStatus
  beforeId?: string
  limit: number
}

/**
 * The hold-limit guard, the only statement that takes a traveller's held seats: an upsert whose update
 * is conditional on staying within the limit, so concurrent bookings of one traveller cannot both slip
 * under it. No row back: over the limit, nothing changed. (A first hold of more than the limit is
 * refused by the use case before it gets here.)
 */
function holdStatement(qc: QueryCreator<DB>, userId: string, seats: number, limit: number) {
  return qc
    .insertInto('traveller_holds')
    .values({ user_id: userId, held_seats: seats })
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet((eb) => ({
          held_seats: eb('traveller_holds.held_seats', '+', eb.ref('excluded.held_seats')),
        }))
        .where((eb) => eb(eb('traveller_holds.held_seats', '+', eb.ref('excluded.held_seats')), '<=', limit)),
    )
    .returning('user_id')
}

const holdQuery = prepared((db, userId: string, seats: number, limit: number) =>
  holdStatement(db, userId, seats, limit),
)

const releaseHoldQuery = prepared((db, userId: string, seats: number) =>
  db
    .updateTable('traveller_holds')
    .set((eb) => ({ held_seats: eb('held_seats', '-', seats) }))
    .where('user_id', '=', userId)
    .where('held_seats', '>=', seats),
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

/**
 * PostgreSQL: the trip's seats (the capacity guard), the traveller's hold (the hold-limit guard), the
 * booking at the trip's price and its event, in one statement built from the same guard statements the
 * SQLite path sends one by one. The main query reads `t` first, so the trip row is locked before the
 * traveller's hold, the order every booking change follows. A refused guard leaves the others' writes
 * in the transaction: the caller rolls it back.
 */
const placeQuery = prepared(
  (
    db,
    tripId: string,
    seats: number,
    at: string,
    userId: string,
    maxHeldSeats: number,
    id: string,
    defaultCommissionBps: number,
    holdExpiresAt: string,
    notes: string | null,
    requestKey: string | null,
    eventId: string,
    eventType: string,
    payload: string,
  ) =>
    db
      .with('t', (qc) => takeSeatsStatement(qc, tripId, seats, at))
      .with('h', (qc) => holdStatement(qc, userId, seats, maxHeldSeats))
      .with('b', (qc) =>
        qc
          .insertInto('bookings')
          .columns([
            'id',
            'trip_id',
            'user_id',
            'seats',
            'status',
            'unit_price',
            'total_amount',
            'currency',
            'commission_bps',
            'hold_expires_at',
            'notes',
            'request_key',
            'created_at',
            'updated_at',
          ])
          .expression((eb) =>
            eb
              .selectFrom('t')
              .select((s) => [
                s.cast<string>(s.val(id), 'text').as('id'),
                't.id as trip_id',
                s.cast<string>(s.val(userId), 'text').as('user_id'),
                s.cast<number>(s.val(seats), 'integer').as('seats'),
                s.cast<'pending'>(s.val('pending'), 'text').as('status'),
                't.price_amount as unit_price',
                s('t.price_amount', '*', s.cast<number>(s.val(seats), 'integer')).as('total_amount'),
                't.price_currency as currency',
                s.fn
                  .coalesce('t.commission_bps', s.cast<number>(s.val(defaultCommissionBps), 'integer'))
                  .as('commission_bps'),
                s.cast<string>(s.val(holdExpiresAt), 'timestamptz').as('hold_expires_at'),
                s.cast<string | null>(s.val(notes), 'text').as('notes'),
                s.cast<string | null>(s.val(requestKey), 'text').as('request_key'),
                s.cast<string>(s.val(at), 'timestamptz').as('created_at'),
                s.cast<string>(s.val(at), 'timestamptz').as('updated_at'),
              ]),
          ),
      )
      .with('e', (qc) =>
        insertEventStatement(qc, {
          id: eventId,
          type: eventType,
          aggregate_id: id,
          payload,
          created_at: at,
          available_at: at,
          attempts: 0,
          processed_at: null,
          last_error: null,
        }),
      )
      .selectFrom('t')
      .select((eb) => [
        't.price_amount',
        't.price_currency',
        't.commission_bps',
        eb.selectFrom('h').select(eb.fn.countAll<number>().as('n')).as('held'),
      ]),
)

/**
 * A booking with its trip, locked: `FOR UPDATE` of the booking row on PostgreSQL (the trip row is only
 * read; it is locked by the guard that writes it). SQLite's write lock, taken at BEGIN IMMEDIATE,
 * already keeps every other writer out.
 */
/** Bookings with what they need of their trip and its vendor. */
const withTrip = (db: Kysely<DB>) =>
  db
    .selectFrom('bookings as b')
    .innerJoin('trips as t', 't.id', 'b.trip_id')
    .innerJoin('vendors as v', 'v.id', 't.vendor_id')
    .selectAll('b')
    .select(tripColumns)

const lockQuery = prepared((db, id: string) => {
  const q = withTrip(db).where('b.id', '=', id)
  return serializesWriters(db) ? q : q.forUpdate('b')
})

const findWithSellerQuery = prepared((db, id: string) =>
  db
    .selectFrom('bookings as b')
    .innerJoin('trips as t', 't.id', 'b.trip_id')
    .innerJoin('vendors as v', 'v.id', 't.vendor_id')
    .selectAll('b')
    .select('v.user_id as vendor_user_id')
    .where('b.id', '=', id),
)

/** A write made under the booking's lock must land; if it does not, the books are wrong: stop. */
function exactlyOne(rows: bigint | undefined, what: string): void {
  if (Number(rows) !== 1) throw new Error(`could not ${what}: the row was not as locked`)
}

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
   * Takes the trip's seats (capacity guard), then the traveller's hold (hold-limit guard), and writes
   * the pending booking at the trip's current price with its event. On PostgreSQL that is one statement;
   * on SQLite, four in-process statements. On a refusal the caller must roll the transaction back.
   */
  async place(db: Kysely<DB>, p: Placement, now: Date): Promise<PlaceOutcome> {
    const at = now.toISOString()
    if (serializesWriters(db)) {
      const taken = await tripSeats.take(db, p.tripId, p.seats, at)
      if (!taken) return { refused: 'trip' }
      if (!(await bookingRepository.holdSeats(db, p.userId, p.seats, p.maxHeldSeats)))
        return { refused: 'hold' }
      await insertPendingQuery(
        db,
        p.id,
        p.tripId,
        p.userId,
        p.seats,
        taken.unitPrice,
        taken.unitPrice * p.seats,
        taken.currency,
        taken.commissionBps ?? p.defaultCommissionBps,
        p.holdExpiresAt,
        p.notes,
        p.requestKey,
        at,
      )
      await addEvent(db, p.event, now)
      return { placed: taken }
    }
    const e = outboxRow(p.event, now)
    const row = (
      await placeQuery(
        db,
        p.tripId,
        p.seats,
        at,
        p.userId,
        p.maxHeldSeats,
        p.id,
        p.defaultCommissionBps,
        p.holdExpiresAt,
        p.notes,
        p.requestKey,
        e.id,
        e.type,
        e.payload,
      )
    ).rows[0]
    if (!row) return { refused: 'trip' }
    if (Number(row.held) !== 1) return { refused: 'hold' }
    return { placed: toSeatsTaken(row) }
  },

  /**
   * The first step of every change to a booking: its row locked, with its trip. Everything decided
   * afterwards in the transaction is decided on what this returns.
   */
  async lock(db: Kysely<DB>, id: string): Promise<BookingWithTrip | undefined> {
    const row = (await lockQuery(db, id)).rows[0]
    return row && { booking: toBooking(row), trip: toTripContext(row) }
  },

  /** Every live booking of a trip, locked in id order (before the trip row: the one lock order). */
  async lockLiveOfTrip(db: Kysely<DB>, tripId: string): Promise<BookingWithTrip[]> {
    let q = withTrip(db)
      .where('b.trip_id', '=', tripId)
      .where('b.status', 'in', ['pending', 'confirmed'])
      .orderBy('b.id')
    if (!serializesWriters(db)) q = q.forUpdate('b')
    return (await q.execute()).map((row) => ({ booking: toBooking(row), trip: toTripContext(row) }))
  },

  async findById(db: Kysely<DB>, id: string): Promise<Booking | undefined> {
    const row = await db.selectFrom('bookings').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toBooking(row)
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

  /** The hold-limit guard (see holdStatement). False: over the limit, nothing changed. */
  async holdSeats(db: Kysely<DB>, userId: string, seats: number, limit: number): Promise<boolean> {
    return (await holdQuery(db, userId, seats, limit)).rows.length === 1
  },

  /** Gives held seats back. Fewer held than given back means the books are wrong: it throws. */
  async releaseHold(db: Kysely<DB>, userId: string, seats: number): Promise<void> {
    const result = await releaseHoldQuery(db, userId, seats)
    if (Number(result.numAffectedRows) !== 1)
      throw new Error(`traveller ${userId} holds fewer than the ${seats} seats given back`)
  },

  async heldSeats(db: Kysely<DB>, userId: string): Promise<number> {
    const row = await db
      .selectFrom('traveller_holds')
      .select('held_seats')
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return row?.held_seats ?? 0
  },

  /** The traveller's pending bookings whose hold has run out but that the expiry job has not reached. */
  async overdueHoldsOf(db: Kysely<DB>, userId: string, now: Date): Promise<string[]> {
    const rows = await db
      .selectFrom('bookings')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', '=', 'pending')
      .where('hold_expires_at', '<=', now.toISOString())
      .execute()
    return rows.map((r) => r.id)
  },

  /**
   * Moves a locked booking from the status it was read in to `to`. The status condition is a
   * backstop: under the lock it always holds, and if it ever does not, the write throws rather than
   * being ignored.
   */
  async move(
    db: Kysely<DB>,
    id: string,
    from: BookingStatus,
    to: BookingStatus,
    now: Date,
    extra: { refund?: Refund; cancelledBy?: Canceller; reason?: string | null } = {},
  ): Promise<void> {
    const at = now.toISOString()
    const result = await db
      .updateTable('bookings')
      .set({
        status: to,
        updated_at: at,
        ...(to === 'confirmed' ? { confirmed_at: at, closed_at: null } : { closed_at: at }),
        ...(extra.refund && {
          refund_amount: extra.refund.amount,
          refund_percent: extra.refund.percent,
          refund_commission: extra.refund.commission,
          refund_vendor_share: extra.refund.vendorShare,
        }),
        ...(extra.cancelledBy && { cancelled_by: extra.cancelledBy, cancel_reason: extra.reason ?? null }),
      })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `move booking ${id} from ${from} to ${to}`)
  },

  /** Seats and total of a locked pending booking. */
  async changeSeats(db: Kysely<DB>, id: string, seats: number, unitPrice: number, now: Date): Promise<void> {
    const result = await db
      .updateTable('bookings')
      .set({ seats, total_amount: seats * unitPrice, updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `change the seats of booking ${id}`)
  },

  /** A locked pending booking's hold, pushed to `until`. */
  async extendHold(db: Kysely<DB>, id: string, until: Date): Promise<void> {
    const result = await db
      .updateTable('bookings')
      .set({ hold_expires_at: until.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `extend the hold of booking ${id}`)
  },

  /** Marks a booking just placed as a reseller's sale (same transaction). */
  async attachSale(db: Kysely<DB>, id: string, sale: ResellerSale): Promise<void> {
    const result = await db
      .updateTable('bookings')
      .set({
        channel: 'octo',
        reseller_id: sale.resellerId,
        access_id: sale.accessId,
        octo_uuid: sale.uuid,
        reseller_reference: sale.reference,
        contact: JSON.stringify(sale.contact),
        unit_items: JSON.stringify(sale.unitItems),
        net_amount: sale.net,
      })
      .where('id', '=', id)
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `attach the sale of booking ${id}`)
  },

  /** A reseller's booking by its uuid (the reseller's own key for it). */
  async findSale(db: Kysely<DB>, resellerId: string, uuid: string): Promise<BookingWithTrip | undefined> {
    const row = await withTrip(db)
      .where('b.reseller_id', '=', resellerId)
      .where('b.octo_uuid', '=', uuid)
      .executeTakeFirst()
    return row && { booking: toBooking(row), trip: toTripContext(row) }
  },

  /** A locked reseller booking's details: references, contact, unit items, and (with seats) its net. */
  async changeSale(
    db: Kysely<DB>,
    id: string,
    change: { reference?: string | null; contact?: Contact; unitItems?: UnitItem[]; net?: number },
    now: Date,
  ): Promise<void> {
    const result = await db
      .updateTable('bookings')
      .set({
        ...(change.reference !== undefined && { reseller_reference: change.reference }),
        ...(change.contact !== undefined && { contact: JSON.stringify(change.contact) }),
        ...(change.unitItems !== undefined && { unit_items: JSON.stringify(change.unitItems) }),
        ...(change.net !== undefined && { net_amount: change.net }),
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .where('reseller_id', 'is not', null)
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `change the sale of booking ${id}`)
  },

  /** A locked pending booking moved to another departure at its price. */
  async changeTrip(
    db: Kysely<DB>,
    id: string,
    tripId: string,
    seats: number,
    unitPrice: number,
    currency: string,
    now: Date,
  ): Promise<void> {
    const result = await db
      .updateTable('bookings')
      .set({
        trip_id: tripId,
        seats,
        unit_price: unitPrice,
        total_amount: seats * unitPrice,
        currency,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `move booking ${id} to trip ${tripId}`)
  },

  /** A reseller's bookings on one vendor's trips, by its reference, our reference or local date range. */
  async salesOf(
    db: Kysely<DB>,
    f: {
      resellerId: string
      vendorId: string
      resellerReference?: string
      bookingId?: string
      startsFrom?: string
      startsTo?: string
      limit: number
    },
  ): Promise<BookingWithTrip[]> {
    let q = withTrip(db)
      .where('b.reseller_id', '=', f.resellerId)
      .where('t.vendor_id', '=', f.vendorId)
      .orderBy('b.id')
      .limit(f.limit)
    if (f.resellerReference !== undefined) q = q.where('b.reseller_reference', '=', f.resellerReference)
    if (f.bookingId !== undefined) q = q.where('b.id', '=', f.bookingId)
    if (f.startsFrom !== undefined) q = q.where('t.starts_at', '>=', f.startsFrom)
    if (f.startsTo !== undefined) q = q.where('t.starts_at', '<', f.startsTo)
    return (await q.execute()).map((row) => ({ booking: toBooking(row), trip: toTripContext(row) }))
  },

  async changeNotes(db: Kysely<DB>, id: string, notes: string | null, now: Date): Promise<void> {
    const result = await db
      .updateTable('bookings')
      .set({ notes, updated_at: now.toISOString() })
      .where('id', '=', id)
      .executeTakeFirst()
    exactlyOne(result.numUpdatedRows, `change the notes of booking ${id}`)
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
    if (f.tripId) q = q.where('b.trip_id', '=', f.tripId)
    if (f.from) q = q.where('b.created_at', '>=', f.from)
    if (f.to) q = q.where('b.created_at', '<', f.to)
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
    // From the trips that have ended (index on ends_at) to their confirmed bookings (index on trip and
    // status): read the other way round, every confirmed booking of the future was read each time.
    // (Written as `in (subquery)`: SQLite's planner then takes this order; as a join it did not.)
    const rows = await db
      .selectFrom('bookings as b')
      .select('b.id')
      .where('b.status', '=', 'confirmed')
      .where('b.trip_id', 'in', (eb) =>
        eb.selectFrom('trips').select('id').where('ends_at', '<=', now.toISOString()),
      )
      .orderBy('b.id')
      .limit(limit)
      .execute()
    return rows.map((r) => r.id)
  },
}
