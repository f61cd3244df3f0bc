/**
 * The payment provider, as payments needs it: charge a card (a PaymentIntent created and confirmed in
 * one call), refund all or part of a charge, transfer money to a vendor. Every call carries our own
 * idempotency key (`payment:{id}`, `refund:{id}`, `payout:{…}`): the same call sent again — after a
 * timeout, a crash, a dropped connection — returns the same object and moves no money twice. Asking
 * again with the same key is also how a payment left in flight is settled.
 * Adapters: mock-gateway.ts (the default; objects kept in our database) and stripe-gateway.ts.
 */
export interface PaymentGateway {
  readonly name: 'mock' | 'stripe'
  charge(input: ChargeInput): Promise<Charge>
  /** The charge as the provider sees it now (e.g. after the customer finished 3-D Secure). */
  retrieve(chargeId: string): Promise<Charge | undefined>
  refund(input: { key: string; chargeId: string; amount: number; currency: string }): Promise<Refunded>
  transfer(input: {
    key: string
    amount: number
    currency: string
    destination: string
  }): Promise<Transferred>
}

export interface ChargeInput {
  key: string
  /** Integer minor units of `currency` (ISO 4217 exponent). */
  amount: number
  currency: string
  paymentMethod: string
  description: string
  metadata: Record<string, string>
}

export type ChargeStatus = 'succeeded' | 'requires_action' | 'processing' | 'failed'

export interface Charge {
  /** The provider's id of the charge (a PaymentIntent id). */
  id: string
  status: ChargeStatus
  amount: number
  currency: string
  /** What the client needs to finish 3-D Secure, when the status is requires_action. */
  clientSecret: string | null
  /** Why a failed charge failed, in the card network's words. */
  failure: { code: string; message: string } | null
}

export interface Refunded {
  id: string
  status: 'succeeded' | 'pending' | 'failed'
  amount: number
}

export interface Transferred {
  id: string
  amount: number
  currency: string
  destination: string
}

/** The provider cannot be reached or is failing (network, timeout, rate limit, its own 5xx): retry later. */
export class GatewayUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'GatewayUnavailableError'
  }
}

/** The provider refused the request itself (e.g. a key reused with other parameters): a bug of ours. */
export class GatewayRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'GatewayRejectedError'
  }
}

/** Currencies whose minor unit is a thousandth; Stripe takes them only in multiples of ten. */
export const THREE_DECIMAL_CURRENCIES = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])

/** The payment methods the mock gateway and the test server understand, as Stripe's test cards. */
export const TEST_PAYMENT_METHODS = {
  succeeds: 'pm_card_visa',
  declined: 'pm_card_chargeDeclined',
  insufficientFunds: 'pm_card_chargeDeclinedInsufficientFunds',
  needsAuthentication: 'pm_card_authenticationRequired',
  /** Not a Stripe card: the mock gateway fails as a provider outage would. */
  providerOutage: 'pm_provider_outage',
} as const

/** How a test payment method behaves (Stripe's test cards; any other pm_card_* succeeds). */
export function testCardOutcome(
  paymentMethod: string,
):
  | { status: 'succeeded' | 'requires_action' }
  | { status: 'failed'; code: string; message: string }
  | { status: 'outage' } {
  switch (paymentMethod) {
    case TEST_PAYMENT_METHODS.declined:
      return { status: 'failed', code: 'card_declined', message: 'Your card was declined.' }
    case TEST_PAYMENT_METHODS.insufficientFunds:
      return { status: 'failed', code: 'insufficient_funds', message: 'Your card has insufficient funds.' }
    case TEST_PAYMENT_METHODS.needsAuthentication:
      return { status: 'requires_action' }
    case TEST_PAYMENT_METHODS.providerOutage:
      return { status: 'outage' }
    default:
      return paymentMethod.startsWith('pm_')
        ? { status: 'succeeded' }
        : { status: 'failed', code: 'invalid_payment_method', message: 'No such payment method.' }
  }
}
