import type { Kysely, Selectable } from 'kysely'
import { containing } from '../../platform/database/like.js'
import type { DB, ProductsTable, TripsTable } from '../../platform/database/schema.js'
import type { Departure, Product, Schedule } from './product.js'

function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    vendorId: row.vendor_id,
    title: row.title,
    description: row.description,
    location: row.location,
    timezone: row.timezone,
    durationMinutes: row.duration_minutes,
    schedule: JSON.parse(row.schedule) as Schedule,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toDeparture(
  row: Pick<
    Selectable<TripsTable>,
    | 'id'
    | 'starts_at'
    | 'ends_at'
    | 'timezone'
    | 'price_amount'
    | 'price_currency'
    | 'capacity'
    | 'seats_taken'
    | 'status'
    | 'cancellation_policy'
  >,
): Departure {
  return {
    tripId: row.id,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timezone: row.timezone,
    price: { amount: row.price_amount, currency: row.price_currency },
    capacity: row.capacity,
    seatsTaken: row.seats_taken,
    status: row.status,
    cancellationPolicy: JSON.parse(row.cancellation_policy),
  }
}

const departureColumns = [
  'id',
  'starts_at',
  'ends_at',
  'timezone',
  'price_amount',
  'price_currency',
  'capacity',
  'seats_taken',
  'status',
  'cancellation_policy',
] as const

export interface ProductSearch {
  vendorId?: string
  q?: string
  location?: string
  /** Only products with a published departure in [from, to) after now. */
  from: string
  to?: string
  afterId?: string
  limit: number
}

export const productRepository = {
  async insert(db: Kysely<DB>, p: Product): Promise<void> {
    await db
      .insertInto('products')
      .values({
        id: p.id,
        vendor_id: p.vendorId,
        title: p.title,
        description: p.description,
        location: p.location,
        timezone: p.timezone,
        duration_minutes: p.durationMinutes,
        schedule: JSON.stringify(p.schedule),
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      })
      .execute()
  },

  async findById(db: Kysely<DB>, id: string): Promise<Product | undefined> {
    const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toProduct(row)
  },

  /**
   * Products with at least one published departure in the window, in id order (keyset), optionally of
   * one vendor and matching words: the catalogue searched and grouped by product.
   */
  async search(db: Kysely<DB>, s: ProductSearch): Promise<Product[]> {
    let q = db
      .selectFrom('products as p')
      .selectAll('p')
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('trips as t')
            .select('t.id')
            .whereRef('t.product_id', '=', 'p.id')
            .where('t.status', '=', 'published')
            .where('t.starts_at', '>', s.from)
            .$if(s.to !== undefined, (w) => w.where('t.starts_at', '<', s.to!)),
        ),
      )
      .orderBy('p.id')
      .limit(s.limit)
    if (s.vendorId) q = q.where('p.vendor_id', '=', s.vendorId)
    if (s.location) q = q.where((eb) => eb(eb.fn('lower', ['p.location']), 'like', containing(s.location!)))
    if (s.q) {
      const pattern = containing(s.q)
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['p.title']), 'like', pattern),
          eb(eb.fn('lower', ['p.location']), 'like', pattern),
          eb(eb.fn('lower', ['p.description']), 'like', pattern),
        ]),
      )
    }
    if (s.afterId) q = q.where('p.id', '>', s.afterId)
    return (await q.execute()).map(toProduct)
  },

  /** Departures of a product starting in [from, to), in order; published only unless asked. */
  async departures(
    db: Kysely<DB>,
    productId: string,
    range: { from: string; to?: string; limit: number; includeCancelled?: boolean },
  ): Promise<Departure[]> {
    let q = db
      .selectFrom('trips')
      .select(departureColumns)
      .where('product_id', '=', productId)
      .where('starts_at', '>=', range.from)
      .orderBy('starts_at')
      .limit(range.limit)
    if (range.to) q = q.where('starts_at', '<', range.to)
    if (!range.includeCancelled) q = q.where('status', '=', 'published')
    return (await q.execute()).map(toDeparture)
  },

  /**
   * The departure of a product starting within the second that begins at `second` (availability ids
   * name departures to the second; a trip published alone may start at any millisecond).
   */
  async departureAt(db: Kysely<DB>, productId: string, second: string): Promise<Departure | undefined> {
    const row = await db
      .selectFrom('trips')
      .select(departureColumns)
      .where('product_id', '=', productId)
      .where('starts_at', '>=', second)
      .where('starts_at', '<', new Date(Date.parse(second) + 1000).toISOString())
      .orderBy('starts_at')
      .executeTakeFirst()
    return row && toDeparture(row)
  },

  /** Upcoming published departures of several products, for listings: counts and the next few. */
  async upcoming(
    db: Kysely<DB>,
    productIds: string[],
    now: string,
    perProduct: number,
  ): Promise<Map<string, { count: number; next: Departure[] }>> {
    const out = new Map<string, { count: number; next: Departure[] }>()
    for (const id of productIds) {
      const next = await productRepository.departures(db, id, { from: now, limit: perProduct })
      const counted = await db
        .selectFrom('trips')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('product_id', '=', id)
        .where('status', '=', 'published')
        .where('starts_at', '>', now)
        .executeTakeFirstOrThrow()
      out.set(id, { count: Number(counted.n), next: next.filter((d) => d.startsAt > now) })
    }
    return out
  },
}
