import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { isUniqueViolation } from '../../platform/database/database.js'
import type { DB } from '../../platform/database/schema.js'
import type { Clock } from '../../shared/clock.js'
import {
  type Charge,
  type ChargeInput,
  GatewayRejectedError,
  GatewayUnavailableError,
  type PaymentGateway,
  type Refunded,
  type Transferred,
  testCardOutcome,
} from './payment-gateway.js'

const hash = (request: object) => createHash('sha256').update(JSON.stringify(request)).digest('base64url')
const providerId = (prefix: string) => `${prefix}_mock_${randomBytes(12).toString('hex')}`

/**
 * The default gateway (PAYMENTS=mock): Stripe's test payment methods decide the outcome
 * (testCardOutcome), and `pm_provider_outage` fails like an unreachable provider. Its objects live in
 * our database, keyed by our idempotency key, so a repeated call returns the same object after a
 * restart too, and the same key with other parameters is refused as Stripe refuses it.
 */
export function createMockGateway(deps: { db: Kysely<DB>; clock: Clock }): PaymentGateway {
  /** The object stored under `key`, or the one `make` creates and stores (once, whatever the races). */
  async function once<T>(
    kind: string,
    key: string,
    request: object,
    make: () => T & { id: string },
  ): Promise<T> {
    const requestHash = hash(request)
    for (;;) {
      const found = await deps.db
        .selectFrom('mock_gateway_objects')
        .select(['kind', 'request_hash', 'object'])
        .where('key', '=', key)
        .executeTakeFirst()
      if (found) {
        if (found.kind !== kind || found.request_hash !== requestHash)
          throw new GatewayRejectedError(`idempotency key ${key} was used with other parameters`)
        return JSON.parse(found.object) as T
      }
      const made = make()
      try {
        await deps.db
          .insertInto('mock_gateway_objects')
          .values({
            key,
            id: made.id,
            kind,
            request_hash: requestHash,
            object: JSON.stringify(made),
            created_at: deps.clock.now().toISOString(),
          })
          .execute()
        return made
      } catch (err) {
        if (!isUniqueViolation(err)) throw err // a concurrent call with the same key won: read its object
      }
    }
  }

  return {
    name: 'mock',
    async charge(input: ChargeInput): Promise<Charge> {
      const outcome = testCardOutcome(input.paymentMethod)
      if (outcome.status === 'outage') throw new GatewayUnavailableError('mock provider outage')
      const { key, ...request } = input
      return once<Charge>('charge', key, request, () => {
        const id = providerId('pi')
        return {
          id,
          status: outcome.status,
          amount: input.amount,
          currency: input.currency,
          clientSecret:
            outcome.status === 'requires_action' ? `${id}_secret_${randomBytes(8).toString('hex')}` : null,
          failure: outcome.status === 'failed' ? { code: outcome.code, message: outcome.message } : null,
        }
      })
    },

    async retrieve(chargeId: string): Promise<Charge | undefined> {
      const found = await deps.db
        .selectFrom('mock_gateway_objects')
        .select('object')
        .where('id', '=', chargeId)
        .where('kind', '=', 'charge')
        .executeTakeFirst()
      return found && (JSON.parse(found.object) as Charge)
    },

    async refund(input): Promise<Refunded> {
      const { key, ...request } = input
      return once<Refunded>('refund', key, request, () => ({
        id: providerId('re'),
        status: 'succeeded',
        amount: input.amount,
      }))
    },

    async transfer(input): Promise<Transferred> {
      const { key, ...request } = input
      // A test convention like the cards': a destination named acct_rejects… refuses transfers.
      if (input.destination.startsWith('acct_rejects'))
        throw new GatewayRejectedError(
          `The destination account ${input.destination} cannot receive transfers.`,
        )
      return once<Transferred>('transfer', key, request, () => ({
        id: providerId('tr'),
        amount: input.amount,
        currency: input.currency,
        destination: input.destination,
      }))
    },
  }
}
