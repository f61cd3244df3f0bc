import type { Kysely } from 'kysely'
import type { Config } from '../src/platform/config.js'
import type { DB } from '../src/platform/database/schema.js'
import { createTokenSigner } from '../src/platform/security/tokens.js'
import { newId } from '../src/shared/ids.js'
import { bookingRow, userRow } from './seed.js'

const DAY = 86_400_000

/**
 * Bulk-loads `count` bookings made over the last 90 days on the bench's trips, in every state, with
 * their payments and refunds (a cancelled one is half refunded): the data admin analytics sums.
 * Reports progress as it goes. Returns an admin's token to ask with.
 */
export async function seedAnalytics(
  db: Kysely<DB>,
  config: Config,
  tripIds: string[],
  userId: string,
  count: number,
  progress: (done: number, total: number) => void,
): Promise<string> {
  const now = Date.now()
  const statuses = [
    'confirmed',
    'completed',
    'completed',
    'cancelled',
    'expired',
    'confirmed',
    'completed',
  ] as const
  const chunk = 1000
  for (let start = 0; start < count; start += chunk) {
    const bookings = []
    const payments = []
    const refunds = []
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      const id = newId('bkg')
      const made = new Date(now - ((i * 7919) % (90 * DAY))).toISOString()
      const paid = new Date(Date.parse(made) + 60_000).toISOString()
      const status = statuses[i % statuses.length]!
      const total = 5000 + (i % 50) * 100
      bookings.push(
        bookingRow({
          id,
          trip_id: tripIds[i % tripIds.length]!,
          user_id: userId,
          unit_price: total,
          at: made,
          status,
          currency: i % 5 === 0 ? 'EUR' : 'USD',
          updated_at: paid,
          confirmed_at: status === 'expired' ? null : paid,
          closed_at: status === 'confirmed' ? null : paid,
        }),
      )
      if (status === 'expired') continue
      const paymentId = newId('pay')
      const currency = i % 5 === 0 ? 'EUR' : 'USD'
      payments.push({
        id: paymentId,
        booking_id: id,
        user_id: userId,
        amount: total,
        currency,
        status: 'succeeded' as const,
        payment_method: 'pm_card_visa',
        provider: 'mock',
        provider_id: `pi_${paymentId}`,
        client_secret: null,
        failure_code: null,
        failure_message: null,
        refunded_amount: status === 'cancelled' ? total / 2 : 0,
        created_at: paid,
        updated_at: paid,
        settled_at: paid,
      })
      if (status === 'cancelled')
        refunds.push({
          id: newId('ref'),
          payment_id: paymentId,
          booking_id: id,
          amount: total / 2,
          currency,
          status: 'succeeded' as const,
          reason: null,
          provider_id: null,
          failure_message: null,
          created_at: paid,
          updated_at: paid,
        })
    }
    await db.insertInto('bookings').values(bookings).execute()
    await db.insertInto('payments').values(payments).execute()
    if (refunds.length > 0) await db.insertInto('refunds').values(refunds).execute()
    progress(Math.min(count, start + chunk), count)
  }

  const at = new Date(now).toISOString()
  const adminId = newId('usr')
  const sessionId = newId('ses')
  await db
    .insertInto('users')
    .values(
      userRow({
        id: adminId,
        email: 'bench-admin@example.com',
        name: 'Bench Admin',
        role: 'admin',
        password_hash: null,
        at,
      }),
    )
    .execute()
  await db
    .insertInto('sessions')
    .values({
      id: sessionId,
      user_id: adminId,
      created_at: at,
      expires_at: new Date(now + DAY).toISOString(),
      revoked_at: null,
      revoked_reason: null,
    })
    .execute()
  const signer = createTokenSigner({
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    accessTokenSeconds: 3600,
  })
  return (await signer.issue({ userId: adminId, role: 'admin', sessionId }, new Date(now))).token
}

/**
 * Asks the running service for 90 days of analytics by day, `runs` times, each a question it has not
 * cached (the range ends a millisecond later each time), one after another. Returns the times in ms.
 */
export async function timeAnalytics(api: string, token: string, runs: number): Promise<number[]> {
  const times: number[] = []
  const end = Date.now() + DAY
  for (let i = 0; i < runs; i++) {
    const to = new Date(end + i).toISOString()
    const from = new Date(end - 90 * DAY).toISOString()
    const started = performance.now()
    const res = await fetch(`${api}/api/v1/admin/analytics?from=${from}&to=${to}&interval=day`, {
      headers: { authorization: `Bearer ${token}` },
    })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`analytics answered ${res.status}`)
    times.push(performance.now() - started)
  }
  return times
}
