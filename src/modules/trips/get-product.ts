import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import type { Departure, Product } from './product.js'
import { type ProductSearch, productRepository } from './product-repository.js'
import { ProductNotFoundError } from './trip-errors.js'

export interface ProductWithDepartures {
  product: Product
  /** Upcoming published departures (the first ones when there are many). */
  departures: Departure[]
  upcoming: number
}

/** A product with its upcoming departures; anyone may read the catalogue. */
export async function getProduct(
  deps: { db: Kysely<DB>; clock: Clock },
  id: string,
): Promise<ProductWithDepartures> {
  const product = await productRepository.findById(deps.db, id)
  if (!product) throw new ProductNotFoundError(id)
  const now = deps.clock.now().toISOString()
  const found = (await productRepository.upcoming(deps.db, [id], now, 100)).get(id)!
  return { product, departures: found.next, upcoming: found.count }
}

/** The catalogue grouped by product: products with an upcoming departure that match, and the next few. */
export async function listProducts(
  deps: { db: Kysely<DB>; clock: Clock },
  search: Omit<ProductSearch, 'from'> & { from?: string },
): Promise<ProductWithDepartures[]> {
  const now = deps.clock.now().toISOString()
  const from = search.from && search.from > now ? search.from : now
  const products = await productRepository.search(deps.db, { ...search, from })
  const upcoming = await productRepository.upcoming(
    deps.db,
    products.map((p) => p.id),
    from,
    5,
  )
  return products.map((product) => {
    const u = upcoming.get(product.id)!
    return { product, departures: u.next, upcoming: u.count }
  })
}

/** Departures of a product starting in [from, to), cancelled ones too (they show as closed). */
export async function productDepartures(
  deps: { db: Kysely<DB> },
  productId: string,
  range: { from: string; to: string },
): Promise<Departure[]> {
  return productRepository.departures(deps.db, productId, { ...range, limit: 2000, includeCancelled: true })
}

/** The departure of a product at an instant, if there is one. */
export function departureAt(deps: { db: Kysely<DB> }, productId: string, startsAt: string) {
  return productRepository.departureAt(deps.db, productId, startsAt)
}

/** A product without its departures (what a reservation needs to know of it). */
export function findProduct(deps: { db: Kysely<DB> }, id: string): Promise<Product | undefined> {
  return productRepository.findById(deps.db, id)
}
