import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import { zonedInstant } from '../../shared/time.js'
import type { ResellerActor } from '../resellers/index.js'
import {
  type Departure,
  departureAt,
  findProduct,
  getProduct,
  listProducts,
  type Product,
  type ProductWithDepartures,
  productDepartures,
} from '../trips/index.js'
import { userRepository } from '../users/index.js'
import { vendorRepository } from '../vendors/index.js'
import { badRequest, invalidAvailability, invalidOption, invalidProduct, invalidUnit } from './octo-errors.js'
import { availabilityId, OPTION_ID, UNIT_ID } from './octo-views.js'

type Deps = { db: Kysely<DB>; clock: Clock }

const DAY_MS = 86_400_000
const MAX_DAYS = 366

/** The supplier behind a reseller's key: the vendor whose catalogue it opened. */
export async function supplierOf(deps: Deps, seller: ResellerActor) {
  const vendor = (await vendorRepository.findById(deps.db, seller.vendorId))!
  const user = await userRepository.findById(deps.db, vendor.userId)
  return { id: vendor.id, businessName: vendor.businessName, phone: vendor.phone, email: user?.email ?? null }
}

/** The vendor's products that have departures to come. */
export function sellerProducts(deps: Deps, seller: ResellerActor): Promise<ProductWithDepartures[]> {
  return listProducts(deps, { vendorId: seller.vendorId, limit: 500 })
}

/** One of the vendor's products; any other id, or another vendor's product, is INVALID_PRODUCT_ID. */
export async function sellerProduct(
  deps: Deps,
  seller: ResellerActor,
  productId: string | undefined,
): Promise<Product> {
  const product =
    productId && /^prd_[0-9a-z]{26}$/.test(productId) ? await findProduct(deps, productId) : undefined
  if (product?.vendorId !== seller.vendorId) throw invalidProduct(productId ?? '')
  return product
}

/** The vendor's product with its upcoming departures (GET /products/{id}). */
export async function sellerProductShown(
  deps: Deps,
  seller: ResellerActor,
  productId: string,
): Promise<ProductWithDepartures> {
  await sellerProduct(deps, seller, productId)
  return getProduct(deps, productId)
}

export function checkOption(optionId: string | undefined): void {
  if (optionId !== OPTION_ID) throw invalidOption(optionId ?? '')
}

/** Seats asked for by `units` (availability requests); an unknown unit is INVALID_UNIT_ID. */
export function wantedSeats(units: { id: string; quantity: number }[] | undefined): number {
  let seats = 0
  for (const u of units ?? []) {
    if (u.id !== UNIT_ID) throw invalidUnit(u.id)
    seats += u.quantity
  }
  return Math.max(1, seats)
}

/** What an availability request asks about: one of the vendor's products, its option, so many seats. */
export async function askedFor(
  deps: Deps,
  seller: ResellerActor,
  body: { productId?: string; optionId?: string; units?: { id: string; quantity: number }[] },
): Promise<{ product: Product; wanted: number }> {
  const product = await sellerProduct(deps, seller, body.productId)
  checkOption(body.optionId)
  return { product, wanted: wantedSeats(body.units) }
}

const isLocalDate = (s: string | undefined): s is string => {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const t = Date.parse(`${s}T00:00:00Z`)
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s)
}

/** The local dates from `start` to `end` inclusive; a missing, reversed or over-long range is BAD_REQUEST. */
export function localDays(start: string | undefined, end: string | undefined): string[] {
  if (!isLocalDate(start) || !isLocalDate(end))
    throw badRequest('localDateStart and localDateEnd must be dates (YYYY-MM-DD)')
  const from = Date.parse(`${start}T00:00:00Z`)
  const to = Date.parse(`${end}T00:00:00Z`)
  if (to < from) throw badRequest('localDateEnd must not be before localDateStart')
  if ((to - from) / DAY_MS >= MAX_DAYS) throw badRequest(`A range may cover at most ${MAX_DAYS} days`)
  const days: string[] = []
  for (let t = from; t <= to; t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10))
  return days
}

/** Departures of a product on local dates [first, last] in its time zone. */
export function departuresOn(deps: Deps, product: Product, days: string[]): Promise<Departure[]> {
  const tz = product.timezone
  const next = new Date(Date.parse(`${days[days.length - 1]}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
  return productDepartures(deps, product.id, {
    from: zonedInstant(days[0]!, '00:00', tz),
    to: zonedInstant(next, '00:00', tz),
  })
}

/** The departure an availability id names (its local start with offset), or INVALID_AVAILABILITY_ID. */
export async function departureById(
  deps: Deps,
  product: Product,
  id: string | undefined,
): Promise<Departure> {
  const instant =
    id && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(id) ? Date.parse(id) : Number.NaN
  if (Number.isNaN(instant)) throw invalidAvailability(id ?? '')
  const departure = await departureAt(deps, product.id, new Date(instant).toISOString())
  if (!departure || availabilityId(departure) !== id) throw invalidAvailability(id!)
  return departure
}
