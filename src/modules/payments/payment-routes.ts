import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { AppError } from '../../shared/errors.js'
import { applyStripeEvent } from './apply-stripe-event.js'
import { getPayment } from './get-payment.js'
import { issueInvoice } from './issue-invoice.js'
import { payBooking } from './pay-booking.js'
import {
  BookingIdParams,
  InvoiceQuery,
  PayBody,
  PaymentIdParams,
  PaymentView,
  paymentView,
  RefundBody,
  RefundView,
  refundView,
} from './payment-schemas.js'
import { refundPayment } from './refund-payment.js'
import { verifyStripeEvent } from './stripe-gateway.js'

export type PaymentRouteDeps = DepsOf<typeof payBooking>

/**
 * POST /webhooks/stripe: Stripe's events, verified by the SDK on the raw body (so this plugin keeps
 * the body as bytes), applied once whatever the order or the number of deliveries.
 */
export function stripeWebhookRoutes(
  deps: PaymentRouteDeps & { webhookSecret: string | undefined },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    )
    app.post(
      '/webhooks/stripe',
      {
        config: { idempotent: false },
        schema: {
          tags: ['payments'],
          summary:
            'Stripe webhook: signature checked on the raw body, events de-duplicated by id and applied once',
          headers: Type.Object({ 'stripe-signature': Type.Optional(Type.String({ maxLength: 2000 })) }),
          response: {
            200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }),
            ...problems(400, 404),
          },
        },
      },
      async (request) => {
        if (!deps.webhookSecret)
          throw new AppError('not_found', 'webhook.not_configured', 'This server takes no Stripe webhooks.')
        const signature = request.headers['stripe-signature']
        let event: ReturnType<typeof verifyStripeEvent>
        try {
          event = verifyStripeEvent(request.body as Buffer, String(signature ?? ''), deps.webhookSecret)
        } catch {
          throw new AppError(
            'invalid',
            'webhook.bad_signature',
            'The Stripe-Signature does not match this body.',
          )
        }
        const fresh = await applyStripeEvent(deps, event)
        return { received: true, duplicate: !fresh }
      },
    )
  }
}

export function paymentRoutes(deps: PaymentRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/payments',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payments'],
          summary:
            'Pay for a pending booking (its owner): succeeded confirms it; requires_action carries the 3-D Secure client secret; a decline is 402 and the booking stays payable',
          security: bearer,
          body: PayBody,
          response: { 201: PaymentView, ...problems(400, 401, 402, 404, 409, 503) },
        },
      },
      async (request, reply) => {
        const payment = await payBooking(deps, actorOf(request), {
          bookingId: request.body.booking_id,
          paymentMethod: request.body.payment_method,
        })
        return reply
          .status(201)
          .header('location', `/api/v1/payments/${payment.id}`)
          .send(paymentView(payment))
      },
    )

    app.post(
      '/payments/:id/refund',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payments'],
          summary:
            'Refund a payment in full or in part (admin); the sum refunded never exceeds what was captured',
          security: bearer,
          params: PaymentIdParams,
          body: RefundBody,
          response: { 201: RefundView, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const refund = await refundPayment(deps, actorOf(request), {
          paymentId: request.params.id,
          amount: request.body?.amount,
          reason: request.body?.reason,
        })
        return reply.status(201).send(refundView(refund))
      },
    )

    app.get(
      '/bookings/:id/invoice',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['bookings'],
          summary:
            'PDF invoice of a paid booking: the traveller copy (owner, admin) or the vendor copy with the commission (the trip’s vendor, admin)',
          security: bearer,
          params: BookingIdParams,
          querystring: InvoiceQuery,
          response: {
            200: {
              description: 'The invoice',
              content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
            },
            ...problems(401, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const { number, pdf } = await issueInvoice(deps, actorOf(request), {
          bookingId: request.params.id,
          copy: request.query.copy ?? 'traveller',
        })
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="travellr-invoice-${number}.pdf"`)
          .send(pdf as never)
      },
    )

    app.get(
      '/payments/:id',
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['payments'],
          summary: 'A payment with its refunds (its payer, admin)',
          security: bearer,
          params: PaymentIdParams,
          response: { 200: PaymentView, ...problems(401, 404) },
        },
      },
      async (request) => {
        const { payment, refunds } = await getPayment(deps, actorOf(request), request.params.id)
        return paymentView(payment, refunds)
      },
    )
  }
}
