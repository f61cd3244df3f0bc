import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMockGateway } from '../../../src/modules/payments/mock-gateway.js'
import {
  GatewayRejectedError,
  GatewayUnavailableError,
  type PaymentGateway,
  TEST_PAYMENT_METHODS as PM,
} from '../../../src/modules/payments/payment-gateway.js'
import { createStripeGateway } from '../../../src/modules/payments/stripe-gateway.js'
import { systemClock } from '../../../src/shared/clock.js'
import { dialects, givenMigratedDatabase } from '../../support/stacks.js'
import { type StripeServer, startStripeServer } from '../../support/stripe-server.js'

interface Adapter {
  name: string
  gateway: PaymentGateway
  /** Makes the provider fail the next call as an outage would. */
  outage(): { paymentMethod: string }
  close(): Promise<void>
}

const adapters: (() => Promise<Adapter>)[] = [
  ...dialects.map((dialect) => async (): Promise<Adapter> => {
    const database = await givenMigratedDatabase(dialect)
    return {
      name: `mock gateway on ${dialect}`,
      gateway: createMockGateway({ db: database.db, clock: systemClock }),
      outage: () => ({ paymentMethod: PM.providerOutage }),
      close: () => database.drop(),
    }
  }),
  async (): Promise<Adapter> => {
    const server = await startStripeServer()
    return {
      name: 'stripe gateway (official SDK) on the test server',
      gateway: createStripeGateway({ secretKey: 'sk_test_travellr', apiBase: server.base, timeoutMs: 2000 }),
      outage: () => {
        server.failNext('answer-500', 'answer-500', 'answer-500') // the first try and both SDK retries
        return { paymentMethod: PM.succeeds }
      },
      close: () => server.close(),
    }
  },
]

const key = (kind: string) => `${kind}:test_${randomBytes(6).toString('hex')}`
const charge = (overrides: Partial<Parameters<PaymentGateway['charge']>[0]> = {}) => ({
  key: key('payment'),
  amount: 12_500,
  currency: 'EUR',
  paymentMethod: PM.succeeds,
  description: 'Booking bkg_x',
  metadata: { booking_id: 'bkg_x' },
  ...overrides,
})

describe.each(adapters.map((make, i) => ({ make, i })))('payment gateway contract #$i', ({ make }) => {
  let a: Adapter
  beforeAll(async () => {
    a = await make()
  })
  afterAll(() => a.close())

  it('when a card succeeds, then the charge is succeeded for the amount and currency asked', async () => {
    const c = await a.gateway.charge(charge())
    expect(c).toMatchObject({ status: 'succeeded', amount: 12_500, currency: 'EUR', failure: null })
    expect(c.id).toMatch(/^pi_/)
  })

  it('when the same key is sent again, then the same charge comes back and nothing is charged twice', async () => {
    const input = charge()
    const first = await a.gateway.charge(input)
    const again = await a.gateway.charge(input)
    expect(again).toEqual(first)
  })

  it('when a key is reused with another amount, then the provider refuses it', async () => {
    const input = charge()
    await a.gateway.charge(input)
    await expect(a.gateway.charge({ ...input, amount: 1 })).rejects.toBeInstanceOf(GatewayRejectedError)
  })

  it.each([
    [PM.declined, 'card_declined'],
    [PM.insufficientFunds, 'insufficient_funds'],
  ])('when the card is %s, then the charge failed with code %s and a reason', async (paymentMethod, code) => {
    const c = await a.gateway.charge(charge({ paymentMethod }))
    expect(c.status).toBe('failed')
    expect(c.failure?.code).toBe(code)
    expect(c.failure?.message).toMatch(/card/)
  })

  it('when the card needs 3-D Secure, then the charge waits for an action with a client secret', async () => {
    const c = await a.gateway.charge(charge({ paymentMethod: PM.needsAuthentication }))
    expect(c.status).toBe('requires_action')
    expect(c.clientSecret).toMatch(/secret/)
  })

  it('when the provider is down, then the call fails as unavailable (retryable), not as a decline', async () => {
    await expect(a.gateway.charge(charge(a.outage()))).rejects.toBeInstanceOf(GatewayUnavailableError)
  })

  it('when a refund or a transfer is sent twice with its key, then one refund, one transfer', async () => {
    const c = await a.gateway.charge(charge())
    const r = { key: key('refund'), chargeId: c.id, amount: 5000, currency: 'EUR' }
    const refund = await a.gateway.refund(r)
    expect(refund).toMatchObject({ status: 'succeeded', amount: 5000 })
    expect(await a.gateway.refund(r)).toEqual(refund)
    const t = { key: key('payout'), amount: 8000, currency: 'EUR', destination: 'acct_vendor_1' }
    const transfer = await a.gateway.transfer(t)
    expect(transfer).toMatchObject({ amount: 8000, currency: 'EUR', destination: 'acct_vendor_1' })
    expect(await a.gateway.transfer(t)).toEqual(transfer)
  })
})

describe('stripe gateway against a provider that fails mid-request', () => {
  let server: StripeServer
  let gateway: PaymentGateway
  beforeAll(async () => {
    server = await startStripeServer()
    gateway = createStripeGateway({ secretKey: 'sk_test_travellr', apiBase: server.base, timeoutMs: 500 })
  })
  afterAll(() => server.close())

  it.each([
    ['a payment', 'payment_intent' as const, async (k: string) => gateway.charge(charge({ key: k }))],
    [
      'a refund',
      'refund' as const,
      async (k: string) => {
        const c = await gateway.charge(charge())
        server.failNext('commit-then-drop')
        return gateway.refund({ key: k, chargeId: c.id, amount: 100, currency: 'EUR' })
      },
    ],
    [
      'a transfer',
      'transfer' as const,
      async (k: string) => gateway.transfer({ key: k, amount: 100, currency: 'EUR', destination: 'acct_x' }),
    ],
  ])(
    'when the server commits %s and drops the connection, then the retry with our key finds it: one object',
    async (_, kind, call) => {
      const k = key({ payment_intent: 'payment', refund: 'refund', transfer: 'payout' }[kind])
      const before = server.ofKind(kind).length
      if (kind !== 'refund') server.failNext('commit-then-drop')
      const result = await call(k)
      expect(server.ofKind(kind).length - before).toBe(1)
      expect(server.ofKind(kind).map((o) => o.id)).toContain(result.id)
      const sent = server.requests.filter((r) => r.idempotencyKey === k)
      expect(sent.length).toBeGreaterThanOrEqual(2) // the dropped try and the retry, both with our key
      const foreign = server.requests.filter(
        (r) => r.method !== 'GET' && !/^(payment|refund|payout):/.test(r.idempotencyKey ?? ''),
      )
      expect(foreign).toEqual([]) // never the SDK's own random key
    },
  )

  it('when the server hangs, then the SDK times out and retries with the same key: charged once', async () => {
    const k = key('payment')
    const before = server.ofKind('payment_intent').length
    server.failNext('hang')
    const c = await gateway.charge(charge({ key: k }))
    expect(c.status).toBe('succeeded')
    expect(server.ofKind('payment_intent').length - before).toBe(1)
  })
})
