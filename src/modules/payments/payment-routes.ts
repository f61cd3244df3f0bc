import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../../platform/http/authentication.js'
import { bearer, type DepsOf, problems } from '../../platform/http/schemas.js'
import { getPayment } from './get-payment.js'
import { payBooking } from './pay-booking.js'
import { PayBody, PaymentIdParams, PaymentView, paymentView } from './payment-schemas.js'

export type PaymentRouteDeps = DepsOf<typeof payBooking>

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
