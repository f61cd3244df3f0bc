export { createCancellationRefunds } from './cancellation-refunds.js'
export { confirmSale } from './confirm-sale.js'
export { paymentsOfBooking } from './get-payment.js'
export { createMockGateway } from './mock-gateway.js'
export {
  type Charge,
  GatewayRejectedError,
  GatewayUnavailableError,
  type PaymentGateway,
  TEST_PAYMENT_METHODS,
} from './payment-gateway.js'
export { type PaymentRouteDeps, paymentRoutes, stripeWebhookRoutes } from './payment-routes.js'
export { reconcilePayments } from './reconcile-payments.js'
export { settlePayment } from './settle-payment.js'
export { createStripeGateway, STRIPE_API_VERSION } from './stripe-gateway.js'
