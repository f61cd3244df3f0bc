import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'
import { testCardOutcome } from '../../src/modules/payments/payment-gateway.js'

type Obj = Record<string, unknown> & { id: string }
type Mode = 'answer-500' | 'hang' | 'commit-then-drop' | 'commit-then-hang'

/**
 * A Stripe-compatible test server for what Travellr uses of Stripe's HTTP API: PaymentIntents (create
 * and confirm in one call, retrieve), Refunds, Transfers; Stripe's idempotency (same key and
 * parameters → the stored answer, replayed; other parameters → an idempotency_error); errors in
 * Stripe's shape (card_error 402, invalid_request_error 400, api_error 500); webhooks signed the way
 * Stripe signs them. Switches make the next requests answer 500, hang, or commit and then drop the
 * connection. Loopback only.
 */
export async function startStripeServer(options: { webhookSecret?: string } = {}) {
  const objects = new Map<string, Obj>()
  const byKey = new Map<string, { hash: string; status: number; body: string }>()
  const requests: { method: string; path: string; idempotencyKey: string | undefined }[] = []
  const upcoming: Mode[] = []
  /** Objects made per idempotency key (a replay makes none): the drills' "exactly once" count. */
  const madePerKey = new Map<string, number>()
  let dropRate = 0
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`
  const sdk = new Stripe('sk_test_server', {})
  let counter = 0
  const newId = (prefix: string) =>
    `${prefix}_test_${(++counter).toString().padStart(6, '0')}${randomBytes(4).toString('hex')}`

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((ok) => {
      let data = ''
      req.on('data', (c) => (data += c))
      req.on('end', () => ok(data))
    })

  function refundedSoFar(intentId: string): number {
    let sum = 0
    for (const o of objects.values())
      if (o.object === 'refund' && o.payment_intent === intentId) sum += o.amount as number
    return sum
  }

  /** The answer to a create request, deciding and storing the object (the "commit"). */
  function create(path: string, p: URLSearchParams): { status: number; body: Obj | { error: object } } {
    const now = Math.floor(Date.now() / 1000)
    if (path === '/v1/payment_intents') {
      const amount = Number(p.get('amount'))
      const currency = String(p.get('currency'))
      const method = String(p.get('payment_method'))
      if (!Number.isInteger(amount) || amount <= 0)
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', message: 'Invalid amount.', param: 'amount' } },
        }
      const outcome = testCardOutcome(method)
      const id = newId('pi')
      const metadata: Record<string, string> = {}
      for (const [k, v] of p) if (k.startsWith('metadata[')) metadata[k.slice(9, -1)] = v
      const intent: Obj = {
        id,
        object: 'payment_intent',
        amount,
        currency,
        created: now,
        livemode: false,
        metadata,
        payment_method: method,
        client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
        status:
          outcome.status === 'succeeded'
            ? 'succeeded'
            : outcome.status === 'requires_action'
              ? 'requires_action'
              : 'requires_payment_method',
        last_payment_error: null,
      }
      objects.set(id, intent)
      if (outcome.status === 'failed' || outcome.status === 'outage') {
        const error = {
          type: 'card_error',
          code: 'card_declined',
          decline_code: outcome.status === 'failed' ? outcome.code : 'processing_error',
          message:
            outcome.status === 'failed' ? outcome.message : 'An error occurred while processing your card.',
        }
        intent.last_payment_error = error
        return { status: 402, body: { error: { ...error, payment_intent: intent } } }
      }
      return { status: 200, body: intent }
    }
    if (path === '/v1/refunds') {
      const intent = objects.get(String(p.get('payment_intent')))
      if (intent?.object !== 'payment_intent')
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: 'No such payment_intent.',
            },
          },
        }
      const amount = p.has('amount')
        ? Number(p.get('amount'))
        : (intent.amount as number) - refundedSoFar(intent.id)
      if (
        intent.status !== 'succeeded' ||
        amount <= 0 ||
        refundedSoFar(intent.id) + amount > (intent.amount as number)
      )
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'charge_already_refunded',
              message: 'Refund amount exceeds what is left to refund.',
            },
          },
        }
      const refund: Obj = {
        id: newId('re'),
        object: 'refund',
        amount,
        currency: intent.currency,
        payment_intent: intent.id,
        status: 'succeeded',
        created: now,
      }
      objects.set(refund.id, refund)
      return { status: 200, body: refund }
    }
    if (path === '/v1/transfers') {
      const transfer: Obj = {
        id: newId('tr'),
        object: 'transfer',
        amount: Number(p.get('amount')),
        currency: String(p.get('currency')),
        destination: String(p.get('destination')),
        created: now,
      }
      objects.set(transfer.id, transfer)
      return { status: 200, body: transfer }
    }
    return {
      status: 404,
      body: {
        error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${path}).` },
      },
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req)
    const path = (req.url ?? '/').split('?')[0]!
    const key = req.headers['idempotency-key'] as string | undefined
    requests.push({ method: req.method ?? '', path, idempotencyKey: key })
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(6).toString('hex')}`,
        ...headers,
      })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    if (!/^Bearer sk_(test|live)_/.test(req.headers.authorization ?? ''))
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } })
    const mode =
      upcoming.shift() ?? (req.method === 'POST' && Math.random() < dropRate ? 'commit-then-drop' : undefined)
    if (mode === 'hang') return // never answers: the client times out
    if (mode === 'answer-500')
      return send(500, { error: { type: 'api_error', message: 'An unknown error occurred.' } })

    if (req.method === 'GET') {
      const object = objects.get(path.split('/').pop() ?? '')
      return object
        ? send(200, object)
        : send(404, {
            error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such object.' },
          })
    }
    const params = new URLSearchParams(raw)
    const hash = createHash('sha256')
      .update(`${path}\n${[...params].sort().join('&')}`)
      .digest('hex')
    if (key) {
      const stored = byKey.get(key)
      if (stored) {
        if (stored.hash !== hash)
          return send(400, {
            error: {
              type: 'idempotency_error',
              message:
                'Keys for idempotent requests can only be used with the same parameters they were first used with.',
            },
          })
        if (mode === 'commit-then-drop') return req.socket.destroy() // the replay is lost too
        return send(stored.status, stored.body, { 'idempotent-replayed': 'true' })
      }
    }
    const answer = create(path, params)
    const body = JSON.stringify(answer.body)
    if (key && 'id' in answer.body) madePerKey.set(key, (madePerKey.get(key) ?? 0) + 1)
    if (key && answer.status < 500) byKey.set(key, { hash, status: answer.status, body })
    if (mode === 'commit-then-drop') return req.socket.destroy() // committed, but the caller never hears
    if (mode === 'commit-then-hang') return // committed, and the caller waits (until it dies, say)
    send(answer.status, body)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500)
      res.end(String(err))
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo

  return {
    base: `http://127.0.0.1:${port}`,
    webhookSecret,
    requests,
    objects,
    madePerKey,
    /** From now on, this share of POSTs (0..1) is committed and then the connection dropped. */
    dropAfterCommit(rate: number) {
      dropRate = rate
    },
    /** The next requests answer in these ways, one each, in order. */
    failNext(...modes: Mode[]) {
      upcoming.push(...modes)
    },
    ofKind(kind: 'payment_intent' | 'refund' | 'transfer') {
      return [...objects.values()].filter((o) => o.object === kind)
    },
    /** The customer finishes 3-D Secure: the intent succeeds (or fails) and is returned. */
    completeAction(intentId: string, succeeded = true): Obj {
      const intent = objects.get(intentId)
      if (intent?.status !== 'requires_action') throw new Error(`${intentId} does not wait for an action`)
      intent.status = succeeded ? 'succeeded' : 'requires_payment_method'
      if (!succeeded)
        intent.last_payment_error = {
          type: 'card_error',
          code: 'authentication_failed',
          message: 'The customer did not authenticate.',
        }
      return intent
    },
    /** A webhook event as Stripe would send it, with its Stripe-Signature header. */
    signedEvent(type: string, object: Obj, at = Math.floor(Date.now() / 1000)) {
      const payload = JSON.stringify(
        {
          id: newId('evt'),
          object: 'event',
          type,
          created: at,
          api_version: '2026-10-28.endive',
          livemode: false,
          data: { object },
        },
        null,
        2,
      )
      const signature = sdk.webhooks.generateTestHeaderString({
        payload,
        secret: webhookSecret,
        timestamp: at,
      })
      return { payload, signature }
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}

export type StripeServer = Awaited<ReturnType<typeof startStripeServer>>
