import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Cache } from '../../platform/cache/cache.js'
import type { DB } from '../../platform/database/schema.js'
import type { AddressLimits } from '../../platform/security/throttle.js'
import type { Clock } from '../../shared/clock.js'
import { zonedInstant } from '../../shared/time.js'
import {
  type Booking,
  type BookingWithTrip,
  type CancellationRefunds,
  cancelSale,
  changeSale,
  findSale,
  listSales,
  reserveForReseller,
  type SaleChange,
  type UnitItem,
} from '../bookings/index.js'
import { confirmSale } from '../payments/index.js'
import { authenticateReseller, type ResellerActor } from '../resellers/index.js'
import {
  askedFor,
  checkOption,
  departureById,
  departuresOn,
  localDays,
  sellerProduct,
  sellerProductShown,
  sellerProducts,
  supplierOf,
} from './octo-catalogue.js'
import { sendOctoError } from './octo-error-handler.js'
import { badRequest, invalidAvailability, invalidUnit, unprocessable } from './octo-errors.js'
import {
  AvailabilityBody,
  BookingsQuery,
  CancelBody,
  ConfirmBody,
  type ContactInput,
  contactFrom,
  ExtendBody,
  ProductParams,
  ReservationBody,
  type UnitItemInput,
  UpdateBody,
  UuidParams,
} from './octo-schemas.js'
import {
  availabilityView,
  bookingView,
  CAPABILITIES,
  calendarView,
  productView,
  supplierView,
  UNIT_ID,
  type ViewContext,
} from './octo-views.js'

export interface OctoRouteDeps {
  db: Kysely<DB>
  clock: Clock
  cache: Cache
  holdMinutes: number
  addressLimits: AddressLimits
  refunds: CancellationRefunds
  log?: { warn(obj: object, msg: string): void }
}

declare module 'fastify' {
  interface FastifyRequest {
    seller: ResellerActor | undefined
  }
}

/** A reservation holds its seats this long at most, whatever the reseller asks. */
export const MAX_HOLD_MINUTES = 60

const sellerOf = (request: FastifyRequest) => request.seller!

/** The capabilities the request asked for that we implement (echoed in Octo-Capabilities). */
function capabilitiesOf(request: FastifyRequest): string[] {
  const asked = String(request.headers['octo-capabilities'] ?? '')
    .split(',')
    .map((c) => c.trim())
  return CAPABILITIES.filter((c) => asked.includes(c))
}

const contextOf = (request: FastifyRequest): ViewContext => ({
  pricing: capabilitiesOf(request).includes('octo/pricing'),
  commissionBps: sellerOf(request).commissionBps,
})

/** Unit items as sent: each an adult seat (another unit is INVALID_UNIT_ID), with a uuid of its own. */
function unitItemsFrom(input: UnitItemInput[], known: UnitItem[] = []): UnitItem[] {
  return input.map((item, i) => {
    if (item.unitId !== UNIT_ID) throw invalidUnit(item.unitId)
    const before = known.find((k) => k.uuid === item.uuid) ?? known[i]
    return {
      uuid: item.uuid ?? before?.uuid ?? randomUUID(),
      resellerReference: item.resellerReference ?? before?.resellerReference ?? null,
      contact: contactFrom(item.contact, before?.contact),
    }
  })
}

/** What a confirm or update body changes (unit items, contact, reference), over what the booking holds. */
function changeFrom(
  b: { unitItems?: UnitItemInput[]; contact?: ContactInput; resellerReference?: string },
  booking: Booking,
): SaleChange {
  const sale = booking.reseller!
  if (b.unitItems !== undefined && b.unitItems.length === 0) throw noUnitItems()
  return {
    ...(b.unitItems && { unitItems: unitItemsFrom(b.unitItems, sale.unitItems) }),
    ...(b.contact && { contact: contactFrom(b.contact, sale.contact) }),
    ...(b.resellerReference !== undefined && { reference: b.resellerReference }),
  }
}

const noUnitItems = () => unprocessable('unitItems must hold at least one unit item')

const holdMinutes = (asked: number | undefined, deps: OctoRouteDeps) =>
  Math.min(asked ?? deps.holdMinutes, MAX_HOLD_MINUTES)

/**
 * The OCTO supplier API (docs.octo.travel) for resellers, under /octo: a vendor's catalogue and the
 * reseller's bookings, authenticated by the reseller's API key on every request. The shapes and errors
 * are OCTO's, so these routes stay out of our OpenAPI document (the specification is theirs).
 */
export function octoRoutes(deps: OctoRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.decorateRequest('seller', undefined)
    app.setErrorHandler((err, request, reply) => sendOctoError(err as Error, request, reply))
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: 'BAD_REQUEST',
        errorMessage: `No OCTO endpoint ${request.method} ${request.url.split('?')[0]}`,
      }),
    )
    app.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store')
      reply.header('octo-capabilities', capabilitiesOf(request).join(', '))
      request.seller = await authenticateReseller(deps, request.headers.authorization)
    })
    const route = { schema: { hide: true }, config: { idempotent: false } } as const
    const view = (request: FastifyRequest, found: BookingWithTrip) =>
      bookingView(found.booking, found.trip, deps.clock.now(), contextOf(request))

    app.get('/supplier', route, async (request) =>
      supplierView(await supplierOf(deps, sellerOf(request)), `${request.protocol}://${request.host}/octo`),
    )

    app.get('/products', route, async (request) => {
      const ctx = contextOf(request)
      return (await sellerProducts(deps, sellerOf(request))).map((p) =>
        productView(p.product, p.departures, ctx),
      )
    })

    app.get(
      '/products/:id',
      { ...route, schema: { ...route.schema, params: ProductParams } },
      async (request) => {
        const found = await sellerProductShown(deps, sellerOf(request), request.params.id)
        return productView(found.product, found.departures, contextOf(request))
      },
    )

    app.post(
      '/availability/calendar',
      { ...route, schema: { ...route.schema, body: AvailabilityBody } },
      async (request) => {
        const b = request.body
        const { product, wanted } = await askedFor(deps, sellerOf(request), b)
        const days = localDays(b.localDateStart, b.localDateEnd)
        return calendarView(
          days,
          await departuresOn(deps, product, days),
          wanted,
          deps.clock.now(),
          contextOf(request),
        )
      },
    )

    app.post(
      '/availability',
      { ...route, schema: { ...route.schema, body: AvailabilityBody } },
      async (request) => {
        const b = request.body
        const { product, wanted } = await askedFor(deps, sellerOf(request), b)
        const now = deps.clock.now()
        const ctx = contextOf(request)
        if (b.availabilityIds !== undefined && b.availabilityIds.length > 0) {
          const found = []
          for (const id of b.availabilityIds) found.push(await departureById(deps, product, id))
          return found.map((d) => availabilityView(d, wanted, now, ctx))
        }
        const days =
          b.localDate !== undefined
            ? localDays(b.localDate, b.localDate)
            : b.localDateStart !== undefined || b.localDateEnd !== undefined
              ? localDays(b.localDateStart, b.localDateEnd)
              : undefined
        if (!days)
          throw badRequest('either localDate, localDateStart/localDateEnd or availabilityIds is required')
        return (await departuresOn(deps, product, days)).map((d) => availabilityView(d, wanted, now, ctx))
      },
    )

    app.post(
      '/bookings',
      { ...route, schema: { ...route.schema, body: ReservationBody } },
      async (request) => {
        const b = request.body
        const seller = sellerOf(request)
        const product = await sellerProduct(deps, seller, b.productId)
        checkOption(b.optionId)
        if (b.availabilityId === undefined) throw invalidAvailability('')
        const departure = await departureById(deps, product, b.availabilityId)
        if (!b.unitItems || b.unitItems.length === 0) throw noUnitItems()
        const unitItems = unitItemsFrom(b.unitItems)
        const found = await reserveForReseller(deps, seller, {
          tripId: departure.tripId,
          uuid: b.uuid ?? randomUUID(),
          unitItems,
          contact: contactFrom(b.contact),
          reference: b.resellerReference ?? null,
          notes: b.notes ?? null,
          holdMinutes: holdMinutes(b.expirationMinutes, deps),
        })
        return view(request, found)
      },
    )

    app.post(
      '/bookings/:uuid/extend',
      { ...route, schema: { ...route.schema, params: UuidParams, body: ExtendBody } },
      async (request) => {
        const found = await changeSale(deps, sellerOf(request), request.params.uuid, () => ({
          holdMinutes: holdMinutes(request.body?.expirationMinutes, deps),
        }))
        return view(request, found)
      },
    )

    app.post(
      '/bookings/:uuid/confirm',
      { ...route, schema: { ...route.schema, params: UuidParams, body: ConfirmBody } },
      async (request) => {
        const found = await confirmSale(deps, sellerOf(request), request.params.uuid, (booking) =>
          changeFrom(request.body, booking),
        )
        return view(request, found)
      },
    )

    app.patch(
      '/bookings/:uuid',
      { ...route, schema: { ...route.schema, params: UuidParams, body: UpdateBody } },
      async (request) => {
        const b = request.body
        const seller = sellerOf(request)
        let tripId: string | undefined
        if (b.availabilityId !== undefined || b.productId !== undefined) {
          // Another departure, of the product given or else the booking's own.
          const productId =
            b.productId ?? (await findSale(deps.db, seller, request.params.uuid)).trip.productId ?? undefined
          const product = await sellerProduct(deps, seller, productId)
          if (b.optionId !== undefined) checkOption(b.optionId)
          tripId = (await departureById(deps, product, b.availabilityId)).tripId
        }
        const found = await changeSale(deps, seller, request.params.uuid, (booking) => ({
          ...changeFrom(b, booking),
          tripId,
          ...(b.notes !== undefined && { notes: b.notes }),
          ...(b.expirationMinutes !== undefined && { holdMinutes: holdMinutes(b.expirationMinutes, deps) }),
        }))
        return view(request, found)
      },
    )

    app.post(
      '/bookings/:uuid/cancel',
      { ...route, schema: { ...route.schema, params: UuidParams, body: CancelBody } },
      async (request) => {
        const found = await cancelSale(
          deps,
          sellerOf(request),
          request.params.uuid,
          request.body?.reason ?? null,
        )
        return view(request, found)
      },
    )

    app.delete(
      '/bookings/:uuid',
      { ...route, schema: { ...route.schema, params: UuidParams } },
      async (request) => {
        const found = await cancelSale(deps, sellerOf(request), request.params.uuid, null)
        return view(request, found)
      },
    )

    app.get(
      '/bookings/:uuid',
      { ...route, schema: { ...route.schema, params: UuidParams } },
      async (request) => view(request, await findSale(deps.db, sellerOf(request), request.params.uuid)),
    )

    app.get(
      '/bookings',
      { ...route, schema: { ...route.schema, querystring: BookingsQuery } },
      async (request) => {
        const q = request.query
        const seller = sellerOf(request)
        const byDate =
          q.localDate !== undefined || q.localDateStart !== undefined || q.localDateEnd !== undefined
        if (q.resellerReference === undefined && q.supplierReference === undefined && !byDate)
          throw badRequest(
            'either resellerReference, supplierReference, localDate or localDateStart/localDateEnd is required',
          )
        const days = byDate
          ? q.localDate !== undefined
            ? localDays(q.localDate, q.localDate)
            : localDays(q.localDateStart, q.localDateEnd)
          : undefined
        // Local dates are the departure's; the UTC window is widened by a day each side, then each
        // booking's departure date is taken in its own zone.
        const found = await listSales(deps.db, seller, {
          resellerReference: q.resellerReference,
          bookingId: q.supplierReference,
          ...(days && {
            startsFrom: zonedInstant(days[0]!, '00:00', 'Pacific/Kiritimati'),
            startsTo: zonedInstant(days[days.length - 1]!, '23:59', 'Etc/GMT+12'),
          }),
        })
        const inDays = (f: BookingWithTrip) =>
          !days || days.includes(view(request, f).availability.localDateTimeStart.slice(0, 10))
        return found.filter(inDays).map((f) => view(request, f))
      },
    )
  }
}
