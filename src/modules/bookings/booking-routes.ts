import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { decodeCursor, pageOf, toPage } from '../../platform/http/pagination.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import type { BookingReadCache } from './booking-read-cache.js'
import {
  AdminBookingQuery,
  BookingIdParams,
  BookingListQuery,
  BookingView,
  BookingWithPaymentsView,
  bookingView,
  CancelBookingBody,
  CreateBookingBody,
  type PaymentOfBooking,
  UpdateBookingBody,
} from './booking-schemas.js'
import { cancelBooking } from './cancel-booking.js'
import { completeBooking } from './complete-booking.js'
import { createBooking } from './create-booking.js'
import { type BookingRead, getBooking } from './get-booking.js'
import { listAllBookings, listBookings } from './list-bookings.js'
import { updateBooking } from './update-booking.js'

export type BookingRouteDeps = {
  /** The booking's payments and refunds, as payments keeps them (read only). */
  paymentsOf(bookingId: string): Promise<PaymentOfBooking[]>
  /** Booking reads kept until the booking changes (booking-read-cache.ts). */
  bookingReads: BookingReadCache<BookingRead<PaymentOfBooking>>
} & DepsOf<typeof createBooking> &
  DepsOf<typeof updateBooking> &
  DepsOf<typeof cancelBooking>

export function bookingRoutes(deps: BookingRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/bookings',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary: "Hold seats on a trip (pending until paid; the price is the trip's)",
          security: bearer,
          body: CreateBookingBody,
          response: { 201: BookingView, ...problems(400, 401, 403, 404, 409, 422, 429) },
        },
      },
      async (request, reply) => {
        const key = request.headers['idempotency-key']
        const booking = await createBooking(deps, actorOf(request), {
          tripId: request.body.trip_id,
          seats: request.body.seats,
          notes: request.body.notes,
          requestKey: typeof key === 'string' ? key : undefined,
          ip: request.ip,
        })
        return reply
          .status(201)
          .header('location', `/api/v1/bookings/${booking.id}`)
          .send(bookingView(booking))
      },
    )

    app.get(
      '/admin/bookings',
      {
        onRequest: app.authenticateAdmin,
        schema: {
          tags: ['admin'],
          summary: 'Every booking, newest first: by status, vendor, trip, traveller and time made',
          security: bearer,
          querystring: AdminBookingQuery,
          response: { 200: pageOf(BookingView), ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const q = request.query
        const limit = q.limit ?? 20
        const [beforeId] = (decodeCursor(q.cursor, ['id']) ?? []) as string[]
        const rows = await listAllBookings(deps, actorOf(request), {
          status: q.status,
          vendorId: q.vendor_id,
          tripId: q.trip_id,
          userId: q.user_id,
          from: q.from && new Date(q.from).toISOString(),
          to: q.to && new Date(q.to).toISOString(),
          beforeId,
          limit: limit + 1,
        })
        const page = toPage(rows, limit, (b) => [b.id])
        return { data: page.items.map(bookingView), next_cursor: page.nextCursor }
      },
    )

    app.get(
      '/bookings',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary: 'Bookings: your own (traveller), on your trips (vendor), all (admin); newest first',
          security: bearer,
          querystring: BookingListQuery,
          response: { 200: pageOf(BookingView), ...problems(400, 401) },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 20
        const [beforeId] = (decodeCursor(request.query.cursor, ['id']) ?? []) as string[]
        const rows = await listBookings(deps, actorOf(request), {
          status: request.query.status,
          beforeId,
          limit: limit + 1,
        })
        const page = toPage(rows, limit, (b) => [b.id])
        return { data: page.items.map(bookingView), next_cursor: page.nextCursor }
      },
    )

    app.get(
      '/bookings/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary: "A booking (owner, the trip's vendor, admin)",
          security: bearer,
          params: BookingIdParams,
          response: { 200: BookingWithPaymentsView, ...problems(401, 404) },
        },
      },
      async (request) => {
        const { booking, payments } = await getBooking(deps, actorOf(request), request.params.id)
        return { ...bookingView(booking), payments }
      },
    )

    app.put(
      '/bookings/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary: 'Change notes, or seats while pending (owner)',
          security: bearer,
          params: BookingIdParams,
          body: UpdateBookingBody,
          response: { 200: BookingView, ...problems(400, 401, 404, 409, 429) },
        },
      },
      async (request) => {
        const booking = await updateBooking(deps, actorOf(request), {
          bookingId: request.params.id,
          seats: request.body.seats,
          notes: request.body.notes,
          ip: request.ip,
        })
        return bookingView(booking)
      },
    )

    app.post(
      '/bookings/:id/cancel',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary: 'Cancel: refund by the trip policy (traveller) or in full (vendor, admin)',
          security: bearer,
          params: BookingIdParams,
          body: CancelBookingBody,
          response: { 200: BookingView, ...problems(400, 401, 404, 409) },
        },
      },
      async (request) => {
        const booking = await cancelBooking(deps, actorOf(request), {
          bookingId: request.params.id,
          reason: request.body?.reason,
        })
        return bookingView(booking)
      },
    )

    app.post(
      '/bookings/:id/complete',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary: "Mark a confirmed booking completed after its trip ended (the trip's vendor, admin)",
          security: bearer,
          params: BookingIdParams,
          response: { 200: BookingView, ...problems(401, 404, 409) },
        },
      },
      async (request) => bookingView(await completeBooking(deps, actorOf(request), request.params.id)),
    )
  }
}
