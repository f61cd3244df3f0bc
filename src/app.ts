import type { FastifyInstance } from 'fastify'
import { Registry } from 'prom-client'
import type { Container } from './container.js'
import { adminRoutes, dashboardRoutes } from './modules/admin/index.js'
import { authenticate, authRoutes, revokeUserSessions } from './modules/auth/index.js'
import { bookingRoutes, cancelTripBookings, createBookingReadCache } from './modules/bookings/index.js'
import { octoRoutes } from './modules/octo/index.js'
import {
  createCancellationRefunds,
  paymentRoutes,
  paymentsOfBooking,
  stripeWebhookRoutes,
} from './modules/payments/index.js'
import { payoutRoutes } from './modules/payouts/index.js'
import { resellerRoutes } from './modules/resellers/index.js'
import { productRoutes, tripRoutes } from './modules/trips/index.js'
import { userRoutes } from './modules/users/index.js'
import { vendorRoutes } from './modules/vendors/index.js'
import { openChangeFeed } from './platform/database/change-feed.js'
import { registerAuthentication } from './platform/http/authentication.js'
import { registerIdempotency } from './platform/http/idempotency.js'
import { registerMetrics } from './platform/http/metrics.js'
import { registerOpenApi } from './platform/http/openapi.js'
import { opsRoutes } from './platform/http/ops-routes.js'
import { createHttpServer } from './platform/http/server.js'
import { outboxRepository } from './platform/outbox.js'
import { jobRegistry, registerQueueGauges } from './platform/queue/job-metrics.js'

/** Builds the HTTP API on a container, composing the platform's HTTP pieces and each module's routes; does not listen. */
export async function buildApp(c: Container): Promise<FastifyInstance> {
  const app = await createHttpServer(c.config, c.log)
  await registerOpenApi(app)
  const registry = Registry.merge([registerMetrics(app), jobRegistry])
  registerQueueGauges(registry, {
    queue: c.queue,
    backlog: () => outboxRepository.backlog(c.db, c.clock.now()),
  })
  registerAuthentication(app, (authorization) => authenticate(c, authorization))
  registerIdempotency(app, {
    db: c.db,
    clock: c.clock,
    secret: c.config.jwtSecret,
    scopeOf: (request) => (request.actor ? `usr:${request.actor.userId}` : 'anon'),
  })
  await app.register(
    opsRoutes({
      database: c.database,
      cache: c.cache,
      queue: c.queue,
      registry,
      metricsToken: c.config.metricsToken,
    }),
  )

  // Booking reads are cached until the database says the booking changed (any writer, any process).
  const bookingChanges = openChangeFeed(c.database, c.log)
  app.addHook('onClose', () => bookingChanges.close())
  // Cancelled bookings are refunded through payments; bookings itself knows no payment.
  const refunds = createCancellationRefunds(c)
  const revokeSessions = (trx: Container['db'], userId: string, reason: string, now: Date) =>
    revokeUserSessions(c, trx, userId, reason, now)
  await app.register(dashboardRoutes())
  await app.register(
    async (api) => {
      await api.register(authRoutes(c))
      await api.register(userRoutes({ ...c, revokeSessions }))
      await api.register(vendorRoutes(c))
      await api.register(
        tripRoutes({
          ...c,
          cancelTripBookings: (trx, tripId, by, now) => cancelTripBookings(refunds, trx, tripId, by, now),
        }),
      )
      await api.register(productRoutes(c))
      await api.register(
        bookingRoutes({
          ...c,
          refunds,
          paymentsOf: (bookingId) => paymentsOfBooking(c, bookingId),
          bookingReads: createBookingReadCache(bookingChanges),
        }),
      )
      await api.register(paymentRoutes(c))
      await api.register(adminRoutes(c))
      await api.register(payoutRoutes(c))
      await api.register(resellerRoutes(c))
      await api.register(stripeWebhookRoutes({ ...c, webhookSecret: c.config.stripeWebhookSecret }))
    },
    { prefix: '/api/v1' },
  )
  // Resellers book through the OCTO standard, into the same inventory and guards as everyone else.
  await app.register(octoRoutes({ ...c, holdMinutes: c.config.holdMinutes, refunds }), { prefix: '/octo' })
  return app
}
