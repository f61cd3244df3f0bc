import { createRequire } from 'node:module'
import type Stripe from 'stripe'
import {
  type Charge,
  GatewayRejectedError,
  GatewayUnavailableError,
  type PaymentGateway,
  THREE_DECIMAL_CURRENCIES,
} from './payment-gateway.js'

/**
 * The SDK, loaded on first use: a service on the mock gateway never loads it (it is megabytes of
 * resident memory for nothing).
 */
let loaded: typeof Stripe | undefined
function sdk(): typeof Stripe {
  loaded ??= createRequire(import.meta.url)('stripe') as typeof Stripe
  return loaded
}

/** The Stripe API version this code was written against; the SDK sends it with every request. */
export const STRIPE_API_VERSION = '2026-10-28.endive'

export interface StripeSettings {
  secretKey: string
  /** e.g. http://127.0.0.1:12111 for the local test server; unset: Stripe itself. */
  apiBase?: string
  timeoutMs?: number
}

/** The SDK client, pointed at STRIPE_API_BASE when set; retries reuse our idempotency key. */
export function stripeClient(settings: StripeSettings): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : undefined
  const Sdk = sdk()
  return new Sdk(settings.secretKey, {
    apiVersion: STRIPE_API_VERSION as Stripe.LatestApiVersion,
    timeout: settings.timeoutMs ?? 10_000,
    maxNetworkRetries: 2,
    ...(base && {
      host: base.hostname,
      port: base.port || (base.protocol === 'https:' ? 443 : 80),
      protocol: base.protocol.replace(':', '') as 'http' | 'https',
    }),
  })
}

/**
 * Amounts are our integer minor units, which is what Stripe takes (JPY has none; for the
 * three-decimal currencies Stripe wants thousandths that are a multiple of ten).
 */
export function stripeAmount(amount: number, currency: string): number {
  if (THREE_DECIMAL_CURRENCIES.has(currency.toUpperCase()) && amount % 10 !== 0)
    throw new GatewayRejectedError(`${currency} amounts must be a multiple of 10 minor units for Stripe`)
  return amount
}

export function toCharge(intent: Stripe.PaymentIntent): Charge {
  const failed = intent.status === 'requires_payment_method' || intent.status === 'canceled'
  const error = intent.last_payment_error
  return {
    id: intent.id,
    status:
      intent.status === 'succeeded'
        ? 'succeeded'
        : intent.status === 'requires_action'
          ? 'requires_action'
          : failed
            ? 'failed'
            : 'processing',
    amount: intent.amount,
    currency: intent.currency.toUpperCase(),
    clientSecret: intent.status === 'requires_action' ? intent.client_secret : null,
    failure: failed
      ? {
          code: error?.decline_code ?? error?.code ?? 'payment_failed',
          message: error?.message ?? 'The payment failed.',
        }
      : null,
  }
}

/** What a Stripe error means for us: a decline is an answer; the rest is the provider's trouble or ours. */
function translate(err: unknown): Charge | never {
  if (err instanceof sdk().errors.StripeCardError) {
    const intent = (err.raw as { payment_intent?: Stripe.PaymentIntent }).payment_intent
    if (intent)
      return toCharge({ ...intent, last_payment_error: intent.last_payment_error ?? (err.raw as never) })
    throw new GatewayRejectedError(err.message, { cause: err })
  }
  if (
    err instanceof sdk().errors.StripeConnectionError ||
    err instanceof sdk().errors.StripeAPIError ||
    err instanceof sdk().errors.StripeRateLimitError
  )
    throw new GatewayUnavailableError(err.message, { cause: err })
  if (err instanceof sdk().errors.StripeError) throw new GatewayRejectedError(err.message, { cause: err })
  throw err
}

/**
 * A webhook event, verified by the SDK on the raw body against the endpoint's secret, with Stripe's
 * default tolerance (300 s) on its timestamp. Throws on a bad or stale signature.
 */
export function verifyStripeEvent(rawBody: Buffer | string, signature: string, secret: string): Stripe.Event {
  const Sdk = sdk()
  webhookVerifier ??= new Sdk('sk_webhook_verification_only')
  return webhookVerifier.webhooks.constructEvent(rawBody, signature, secret, 300)
}

// Only for verifying signatures, which needs no API key.
let webhookVerifier: Stripe | undefined

/** The real provider (PAYMENTS=stripe) through the official SDK, with our idempotency key on every call. */
export function createStripeGateway(settings: StripeSettings): PaymentGateway {
  const stripe = stripeClient(settings)
  return {
    name: 'stripe',
    async charge(input) {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: stripeAmount(input.amount, input.currency),
            currency: input.currency.toLowerCase(),
            payment_method: input.paymentMethod,
            allowed_payment_method_types: ['card'],
            confirm: true,
            description: input.description,
            metadata: input.metadata,
          },
          { idempotencyKey: input.key },
        )
        return toCharge(intent)
      } catch (err) {
        return translate(err)
      }
    },
    async retrieve(chargeId) {
      try {
        return toCharge(await stripe.paymentIntents.retrieve(chargeId))
      } catch (err) {
        if (err instanceof sdk().errors.StripeInvalidRequestError && err.statusCode === 404) return undefined
        translate(err)
        throw err
      }
    },
    async refund(input) {
      try {
        const refund = await stripe.refunds.create(
          { payment_intent: input.chargeId, amount: stripeAmount(input.amount, input.currency) },
          { idempotencyKey: input.key },
        )
        const status =
          refund.status === 'succeeded'
            ? 'succeeded'
            : refund.status === 'failed' || refund.status === 'canceled'
              ? 'failed'
              : 'pending'
        return { id: refund.id, status, amount: refund.amount }
      } catch (err) {
        translate(err)
        throw err
      }
    },
    async transfer(input) {
      try {
        const transfer = await stripe.transfers.create(
          {
            amount: stripeAmount(input.amount, input.currency),
            currency: input.currency.toLowerCase(),
            destination: input.destination,
          },
          { idempotencyKey: input.key },
        )
        return {
          id: transfer.id,
          amount: transfer.amount,
          currency: transfer.currency.toUpperCase(),
          destination: String(transfer.destination),
        }
      } catch (err) {
        translate(err)
        throw err
      }
    },
  }
}
