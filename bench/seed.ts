import * as argon2 from 'argon2'
import type { Insertable, Kysely } from 'kysely'
import type { Config } from '../src/platform/config.js'
import type { BookingsTable, DB } from '../src/platform/database/schema.js'
import { newApiKey } from '../src/platform/security/api-keys.js'
import { createTokenSigner } from '../src/platform/security/tokens.js'
import { newId } from '../src/shared/ids.js'
import { localIso } from '../src/shared/time.js'

export const BENCH_PASSWORD = 'Bench-Traveller-Pass-2026'

export interface BenchData {
  tripIds: string[]
  floorTripIds: string[]
  locations: string[]
  travellers: { id: string; email: string; token: string }[]
  bookings: { id: string; token: string }[]
  /** Pending bookings of one seat, each of its own traveller, held for the whole run: seats to change. */
  pending: { id: string; token: string }[]
  /** More pending bookings, of the other travellers, each paid once by the payments scenario. */
  payable: { id: string; token: string }[]
  /** Who the raw floor books as: no traveller of the service's scenarios, so no hold limit is shared. */
  floorUserId: string
  vendorId: string
  /** The password hash every seeded account has (of BENCH_PASSWORD). */
  passwordHash: string
  /** A reseller's OCTO key to the vendor's catalogue, and the departures (first 100 trips) it books. */
  octo: { key: string; departures: { productId: string; availabilityId: string }[] }
}

const LOCATIONS = [
  'Lisbon, Portugal',
  'Kyoto, Japan',
  'New York, USA',
  'Cape Town, South Africa',
  'Sintra, Portugal',
]

/** A published trip of the bench's vendor, departing in 30 to 90 days. */
export function benchTrip(
  i: number,
  vendorId: string,
  now: Date,
  location = LOCATIONS[i % LOCATIONS.length]!,
) {
  const at = now.toISOString()
  const starts = new Date(now.getTime() + (30 + (i % 60)) * 86_400_000).toISOString()
  return {
    id: newId('trp'),
    vendor_id: vendorId,
    title: `Bench trip ${i}`,
    description: 'A trip for load tests.',
    location,
    location_key: location.toLowerCase(),
    starts_at: starts,
    ends_at: new Date(Date.parse(starts) + 6 * 3_600_000).toISOString(),
    timezone: 'UTC',
    price_amount: 5000 + i,
    price_currency: 'USD',
    capacity: 2000,
    seats_taken: 0,
    cancellation_policy: JSON.stringify({
      tiers: [
        { hoursBefore: 168, refundPercent: 100 },
        { hoursBefore: 48, refundPercent: 50 },
      ],
    }),
    status: 'published' as const,
    created_at: at,
    updated_at: at,
  }
}

/** An active account row (no phone, not deleted). */
export function userRow(u: {
  id: string
  email: string | null
  name: string
  role: 'traveler' | 'vendor' | 'admin' | 'reseller'
  password_hash: string | null
  at: string
}) {
  const { at, ...given } = u
  return {
    ...given,
    phone: null,
    status: 'active' as const,
    created_at: at,
    updated_at: at,
    deleted_at: null,
  }
}

/** A booking row as the service writes it: confirmed, one seat, unless told otherwise. */
export function bookingRow(
  b: Pick<Insertable<BookingsTable>, 'id' | 'trip_id' | 'user_id' | 'unit_price'> & {
    at: string
  } & Partial<Insertable<BookingsTable>>,
): Insertable<BookingsTable> {
  const { at, ...given } = b
  const seats = given.seats ?? 1
  return {
    seats,
    status: 'confirmed',
    total_amount: Number(b.unit_price) * seats,
    currency: 'USD',
    commission_bps: 2000,
    hold_expires_at: at,
    notes: null,
    request_key: null,
    refund_amount: null,
    refund_commission: null,
    refund_vendor_share: null,
    refund_percent: null,
    cancelled_by: null,
    cancel_reason: null,
    created_at: at,
    updated_at: at,
    confirmed_at: at,
    closed_at: null,
    ...given,
  }
}

export async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 200) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size))
}

/**
 * Seeds straight into the database: an approved vendor, 100 trips for the service and 100 for the
 * raw floor (room for the whole run), travellers enough that nobody reaches the hold limit (with
 * sessions and signed tokens, as logins would give), and bookings to read.
 */
export async function seedBench(
  db: Kysely<DB>,
  config: Config,
  counts: { travellers: number; bookings: number; pending: number; payable: number },
): Promise<BenchData> {
  const now = new Date()
  const at = now.toISOString()
  const hash = await argon2.hash(BENCH_PASSWORD, {
    type: argon2.argon2id,
    memoryCost: config.argon2.memoryKiB,
    timeCost: config.argon2.iterations,
    parallelism: config.argon2.parallelism,
  })
  const vendorUser = newId('usr')
  const vendorId = newId('vnd')
  await db
    .insertInto('users')
    .values(
      userRow({
        id: vendorUser,
        email: 'bench-vendor@example.com',
        name: 'Bench Vendor',
        role: 'vendor',
        password_hash: hash,
        at,
      }),
    )
    .execute()
  await db
    .insertInto('vendors')
    .values({
      id: vendorId,
      user_id: vendorUser,
      business_name: 'Bench Tours',
      phone: '+1 555 0100',
      payout_account: null,
      status: 'approved',
      commission_bps: 2000,
      status_reason: null,
      created_at: at,
      updated_at: at,
    })
    .execute()

  const trips = Array.from({ length: 200 }, (_, i) => benchTrip(i, vendorId, now))
  // The first is the hot trip: every booking of the hot-trip scenario lands on its row.
  trips[0]!.capacity = 1_000_000
  await insertInChunks(trips, (chunk) => db.insertInto('trips').values(chunk).execute())

  // Each of the first 100 trips is a product of one departure, sold to a reseller through OCTO too.
  const products = trips.slice(0, 100).map((t) => ({
    id: `prd_${t.id.slice(4)}`,
    vendor_id: vendorId,
    title: t.title,
    description: t.description,
    location: t.location,
    timezone: t.timezone,
    duration_minutes: 360,
    schedule: JSON.stringify({ kind: 'single' }),
    created_at: at,
    updated_at: at,
  }))
  await insertInChunks(products, (chunk) => db.insertInto('products').values(chunk).execute())
  for (const p of products)
    await db
      .updateTable('trips')
      .set({ product_id: p.id })
      .where('id', '=', `trp_${p.id.slice(4)}`)
      .execute()
  const resellerUser = newId('usr')
  await db
    .insertInto('users')
    .values(
      userRow({
        id: resellerUser,
        email: null,
        name: 'Bench OTA',
        role: 'reseller',
        password_hash: null,
        at,
      }),
    )
    .execute()
  const resellerId = newId('rsl')
  await db
    .insertInto('resellers')
    .values({
      id: resellerId,
      user_id: resellerUser,
      name: 'Bench OTA',
      contact_email: 'ota@example.com',
      max_held_seats: 1_000_000,
      status: 'active',
      created_at: at,
      updated_at: at,
    })
    .execute()
  const apiKey = newApiKey('trv_octo')
  await db
    .insertInto('reseller_access')
    .values({
      id: newId('rak'),
      reseller_id: resellerId,
      vendor_id: vendorId,
      commission_bps: 1500,
      key_hash: apiKey.hash,
      key_hint: apiKey.hint,
      created_by: vendorUser,
      created_at: at,
      revoked_at: null,
      revoked_by: null,
    })
    .execute()
  const octo = {
    key: apiKey.key,
    departures: trips.slice(0, 100).map((t) => ({
      productId: `prd_${t.id.slice(4)}`,
      availabilityId: localIso(t.starts_at, t.timezone),
    })),
  }

  const signer = createTokenSigner({
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTokenSeconds: 3600,
  })
  const travellers: BenchData['travellers'] = []
  const users = []
  const sessions = []
  for (let i = 0; i < counts.travellers; i++) {
    const id = newId('usr')
    const sessionId = newId('ses')
    const email = `bench-${i}@example.com`
    users.push(userRow({ id, email, name: `Traveller ${i}`, role: 'traveler', password_hash: hash, at }))
    sessions.push({
      id: sessionId,
      user_id: id,
      created_at: at,
      expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
      revoked_at: null,
      revoked_reason: null,
    })
    const { token } = await signer.issue({ userId: id, role: 'traveler', sessionId }, now)
    travellers.push({ id, email, token })
  }
  await insertInChunks(users, (chunk) => db.insertInto('users').values(chunk).execute())
  await insertInChunks(sessions, (chunk) => db.insertInto('sessions').values(chunk).execute())

  const bookings: BenchData['bookings'] = []
  const rows: Insertable<BookingsTable>[] = []
  for (let i = 0; i < counts.bookings; i++) {
    const t = trips[i % 100]!
    const owner = travellers[i % travellers.length]!
    const id = newId('bkg')
    rows.push(bookingRow({ id, trip_id: t.id, user_id: owner.id, unit_price: t.price_amount, at }))
    bookings.push({ id, token: owner.token })
  }
  // Pending ones, held for two hours (the bench's HOLD_MINUTES): those whose seats change belong to the
  // last travellers, one each; those to pay are spread over the others.
  const heldUntil = new Date(now.getTime() + 120 * 60_000).toISOString()
  const held = new Map<string, number>()
  const hold = (i: number, owner: BenchData['travellers'][number]) => {
    const t = trips[i % 100]!
    const id = newId('bkg')
    rows.push({
      ...rows[0]!,
      id,
      trip_id: t.id,
      user_id: owner.id,
      status: 'pending' as const,
      unit_price: t.price_amount,
      total_amount: t.price_amount,
      hold_expires_at: heldUntil,
      confirmed_at: null,
    })
    held.set(owner.id, (held.get(owner.id) ?? 0) + 1)
    return { id, token: owner.token }
  }
  const pending = Array.from({ length: counts.pending }, (_, i) =>
    hold(i, travellers[travellers.length - 1 - i]!),
  )
  const payers = travellers.length - counts.pending
  const payable = Array.from({ length: counts.payable }, (_, i) => hold(i, travellers[i % payers]!))
  const holds = [...held].map(([user_id, held_seats]) => ({ user_id, held_seats }))
  await insertInChunks(rows, (chunk) => db.insertInto('bookings').values(chunk).execute())
  await insertInChunks(holds, (chunk) => db.insertInto('traveller_holds').values(chunk).execute())
  const taken = new Map<string, number>()
  for (const r of rows) taken.set(r.trip_id, (taken.get(r.trip_id) ?? 0) + 1)
  for (const [id, seats] of taken)
    await db.updateTable('trips').set({ seats_taken: seats }).where('id', '=', id).execute()
  return {
    tripIds: trips.slice(0, 100).map((t) => t.id),
    floorTripIds: trips.slice(100).map((t) => t.id),
    locations: LOCATIONS.map((l) => l.split(',')[0]!.toLowerCase()),
    travellers,
    bookings,
    pending,
    payable,
    floorUserId: vendorUser,
    vendorId,
    passwordHash: hash,
    octo,
  }
}
