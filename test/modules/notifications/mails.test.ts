import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expireHolds } from '../../../src/modules/bookings/index.js'
import { ManualClock } from '../../../src/shared/clock.js'
import { startWorker } from '../../../src/worker.js'
import {
  givenAdmin,
  givenTrip,
  givenUser,
  givenVendor,
  STRONG_PASSWORD,
  uniqueEmail,
} from '../../support/builders.js'
import { startSmtp, type TestSmtp } from '../../support/smtp.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.each(stacks)('mails through SMTP on $name', (stack) => {
  let env: TestEnv
  let smtp: TestSmtp
  let worker: { stop(): Promise<void> }
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let vendor: Awaited<ReturnType<typeof givenVendor>>
  const clock = new ManualClock(new Date())

  beforeAll(async () => {
    smtp = await startSmtp()
    env = await givenApp(stack, { clock }, { SMTP_URL: smtp.url, JOB_BACKOFF_MS: '50' })
    worker = await startWorker(env.c)
    admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
  })
  afterAll(async () => {
    await worker.stop()
    await env.close()
    await smtp.close()
  })

  const book = async (who: { auth: Record<string, string> }, tripId: string, seats = 2) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: who.auth,
      payload: { trip_id: tripId, seats },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json()
  }
  const pay = async (who: { auth: Record<string, string> }, bookingId: string, method = 'pm_card_visa') =>
    env.app.inject({
      method: 'POST',
      url: '/api/v1/payments',
      headers: who.auth,
      payload: { booking_id: bookingId, payment_method: method },
    })

  it('when someone registers, then one welcome mail arrives, its HTML escaping what they typed', async () => {
    const email = uniqueEmail('welcome')
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: STRONG_PASSWORD, name: 'Ana <b>Bold</b> & Co' },
    })
    expect(res.statusCode).toBe(201)
    const [mail] = await smtp.waitFor(email)
    expect(mail!.subject).toBe('Welcome to Travellr')
    expect(mail!.text).toContain('Hello Ana <b>Bold</b> & Co,')
    expect(mail!.html).toContain('Hello Ana &lt;b&gt;Bold&lt;/b&gt; &amp; Co,')
    expect(mail!.html).not.toContain('<b>Bold')
    expect(mail!.messageId).toMatch(/^evt_[0-9a-z]+\.mail\.welcome@travellr$/)
    await sleep(300)
    expect(smtp.to(email)).toHaveLength(1)
  })

  it('when an admin approves or rejects a vendor, then the vendor gets that news by mail', async () => {
    const approved = await givenVendor(env.app, admin)
    const rejected = await givenVendor(env.app, admin, 'rejected')
    const ok = await smtp.waitFor(approved.email, 2)
    expect(ok.map((m) => m.subject)).toContain('Your vendor account is approved')
    const no = await smtp.waitFor(rejected.email, 2)
    const rejection = no.find((m) => m.subject === 'Your vendor application')!
    expect(rejection.text).toContain('Reason: Licence missing')
  })

  it('when a booking is paid, then the traveller and the vendor each get one mail; a cancellation mails the refund', async () => {
    const traveller = await givenUser(env.app, { name: 'Tomás' })
    const trip = await givenTrip(env.app, vendor, {
      title: 'Sintra <palaces> day',
      price: { amount: 12_500, currency: 'EUR' },
    })
    const booking = await book(traveller, trip.id, 2)
    expect((await pay(traveller, booking.id)).statusCode).toBe(201)

    const mine = await smtp.waitFor(traveller.email, 2) // welcome + confirmation
    const confirmed = mine.find((m) => m.subject.startsWith('Booking confirmed'))!
    expect(confirmed.subject).toBe('Booking confirmed: Sintra <palaces> day')
    expect(confirmed.text).toMatch(/Total: EUR\s250\.00/)
    expect(confirmed.text).toContain(`Booking: ${booking.id}`)
    expect(confirmed.html).toContain('Sintra &lt;palaces&gt; day')
    await expect
      .poll(
        () => smtp.to(vendor.email).filter((m) => m.subject === 'New booking: Sintra <palaces> day').length,
      )
      .toBe(1)
    expect(smtp.to(vendor.email).find((m) => m.subject.startsWith('New booking'))!.text).toContain(
      'Traveller: Tomás',
    )

    const cancel = await env.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${booking.id}/cancel`,
      headers: traveller.auth,
      payload: {},
    })
    expect(cancel.statusCode, cancel.body).toBe(200)
    await smtp.waitFor(traveller.email, 3)
    const cancelled = smtp.to(traveller.email).find((m) => m.subject.startsWith('Booking cancelled'))!
    expect(cancelled.text).toMatch(/Refund: EUR\s250\.00 \(100%\)/)
    await expect
      .poll(() => smtp.to(vendor.email).filter((m) => m.subject.startsWith('Booking cancelled')).length)
      .toBe(1)
    await sleep(300)
    expect(smtp.to(traveller.email)).toHaveLength(3)
  })

  it('when a payment is declined, then the traveller is told; when the hold then lapses, one expiry mail follows', async () => {
    const traveller = await givenUser(env.app)
    const trip = await givenTrip(env.app, vendor, { title: 'Lisbon by tram' })
    const booking = await book(traveller, trip.id, 1)
    expect((await pay(traveller, booking.id, 'pm_card_chargeDeclined')).statusCode).toBe(402)
    await smtp.waitFor(traveller.email, 2)
    const failed = smtp.to(traveller.email).find((m) => m.subject === 'Payment failed: Lisbon by tram')!
    expect(failed.text).toContain('did not go through')

    // Past the hold, which the payment attempt stretched while it was in flight.
    clock.advance(46 * 60_000)
    expect(await expireHolds(env.c)).toBeGreaterThanOrEqual(1)
    await smtp.waitFor(traveller.email, 3)
    expect(
      smtp.to(traveller.email).filter((m) => m.subject === 'Booking expired: Lisbon by tram'),
    ).toHaveLength(1)
    expect((await expireHolds(env.c)) >= 0).toBe(true)
    await sleep(300)
    expect(smtp.to(traveller.email)).toHaveLength(3)
  })

  it('when a traveller reads French, then their mails are in French', async () => {
    const email = uniqueEmail('fr')
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email, password: STRONG_PASSWORD, name: 'Chloé', language: 'fr' },
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().user.language).toBe('fr')
    const [mail] = await smtp.waitFor(email)
    expect(mail!.subject).toBe('Bienvenue sur Travellr')
    expect(mail!.text).toContain('Bonjour Chloé,')
    expect(mail!.language).toBe('fr')
  })
})
