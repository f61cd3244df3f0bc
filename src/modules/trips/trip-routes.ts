import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { ValidationError } from '../../shared/errors.js'
import { VendorNotFoundError, vendorRepository } from '../vendors/index.js'
import { cancelTrip } from './cancel-trip.js'
import { createTrip, toUtc } from './create-trip.js'
import { getTrip } from './get-trip.js'
import { searchTrips } from './search-trips.js'
import type { Trip } from './trip.js'
import type { TripSearch } from './trip-repository.js'
import {
  CreateTripBody,
  PageQueryOnly,
  SearchQuery,
  TripIdParams,
  TripView,
  tripFields,
  tripView,
  UpdateTripBody,
  VendorIdParams,
} from './trip-schemas.js'
import { updateTrip } from './update-trip.js'

export type TripRouteDeps = DepsOf<typeof createTrip> & DepsOf<typeof searchTrips> & DepsOf<typeof cancelTrip>

type PageInput = { limit?: number; cursor?: string }

function pageArgs(query: PageInput) {
  const limit = query.limit ?? 20
  const after = decodeCursor(query.cursor, ['timestamp', 'id']) as [string, string] | undefined
  return { limit, after }
}

function page(rows: Trip[], limit: number) {
  const p = toPage(rows, limit, (t) => [t.startsAt, t.id])
  return { data: p.items.map(tripView), next_cursor: p.nextCursor }
}

export function tripRoutes(deps: TripRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/trips',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['trips'],
          summary: 'Publish a trip (approved vendors)',
          security: bearer,
          body: CreateTripBody,
          response: { 201: TripView, ...problems(400, 401, 403, 422) },
        },
      },
      async (request, reply) => {
        const trip = await createTrip(deps, actorOf(request), tripFields(request.body))
        return reply.status(201).header('location', `/api/v1/trips/${trip.id}`).send(tripView(trip))
      },
    )

    app.get(
      '/trips',
      {
        schema: {
          tags: ['trips'],
          summary: 'Search published trips that have not left yet, in departure order',
          querystring: SearchQuery,
          response: { 200: pageOf(TripView), ...problems(400) },
        },
      },
      async (request) => {
        const q = request.query
        if (q.min_price !== undefined && q.max_price !== undefined && q.min_price > q.max_price) {
          throw new ValidationError([{ field: 'min_price', message: 'must not exceed max_price' }])
        }
        const { limit, after } = pageArgs(q)
        const filter: Omit<TripSearch, 'now'> = {
          q: q.q,
          location: q.location,
          from: q.from && toUtc(q.from),
          to: q.to && toUtc(q.to),
          minPrice: q.min_price,
          maxPrice: q.max_price,
          currency: q.currency,
          productId: q.product_id,
          after,
          limit: limit + 1,
        }
        return page(await searchTrips(deps, filter), limit)
      },
    )

    app.get(
      '/trips/:id',
      {
        schema: {
          tags: ['trips'],
          summary: 'A trip with its seats available',
          params: TripIdParams,
          response: { 200: TripView, ...problems(400, 404) },
        },
      },
      async (request) => tripView(await getTrip(deps, request.params.id)),
    )

    app.put(
      '/trips/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['trips'],
          summary: 'Change a trip (owner vendor, admin); capacity never below seats taken',
          security: bearer,
          params: TripIdParams,
          body: UpdateTripBody,
          response: { 200: TripView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const trip = await updateTrip(deps, actorOf(request), request.params.id, tripFields(request.body))
        return tripView(trip)
      },
    )

    app.delete(
      '/trips/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['trips'],
          summary: 'Cancel a trip (owner vendor, admin)',
          security: bearer,
          params: TripIdParams,
          response: { 204: Type.Null(), ...problems(401, 404, 409) },
        },
      },
      async (request, reply) => {
        await cancelTrip(deps, actorOf(request), request.params.id)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/vendors/:id/trips',
      {
        schema: {
          tags: ['vendors'],
          summary: "A vendor's published upcoming trips",
          params: VendorIdParams,
          querystring: PageQueryOnly,
          response: { 200: pageOf(TripView), ...problems(400, 404) },
        },
      },
      async (request) => {
        const vendor = await vendorRepository.findById(deps.db, request.params.id)
        if (vendor?.status !== 'approved') throw new VendorNotFoundError(request.params.id)
        const { limit, after } = pageArgs(request.query)
        return page(await searchTrips(deps, { vendorId: vendor.id, after, limit: limit + 1 }), limit)
      },
    )
  }
}
