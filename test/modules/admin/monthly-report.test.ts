import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileMonthlyReport, mailMonthlyReport, previousMonth } from '../../../src/modules/admin/index.js'
import { givenAdmin, givenTrip, givenUser, givenVendor } from '../../support/builders.js'
import { startSmtp, type TestSmtp } from '../../support/smtp.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

describe('previousMonth', () => {
  it('when asked on any day, then it names the last closed calendar month in UTC', () => {
    expect(previousMonth(new Date('2031-03-01T00:00:00Z'))).toBe('2031-02')
    expect(previousMonth(new Date('2031-01-15T23:59:59Z'))).toBe('2030-12')
  })
})

describe.each(stacks)('monthly report on $name', (stack) => {
  let env: TestEnv
  let smtp: TestSmtp
  beforeAll(async () => {
    smtp = await startSmtp()
    env = await givenApp(stack, {}, { SMTP_URL: smtp.url })
  })
  afterAll(async () => {
    await env.close()
    await smtp.close()
  })

  it('when a month had bookings, payments and a refund, then the report adds them up to the cent and each admin gets it once', async () => {
    const admin = await givenAdmin(env)
    const vendor = await givenVendor(env.app, admin)
    const trip = await givenTrip(env.app, vendor, { price: { amount: 10_001, currency: 'EUR' } })
    const traveller = await givenUser(env.app)
    const bookAndPay = async (seats: number) => {
      const b = (
        await env.app.inject({
          method: 'POST',
          url: '/api/v1/bookings',
          headers: traveller.auth,
          payload: { trip_id: trip.id, seats },
        })
      ).json()
      const paid = await env.app.inject({
        method: 'POST',
        url: '/api/v1/payments',
        headers: traveller.auth,
        payload: { booking_id: b.id, payment_method: 'pm_card_visa' },
      })
      expect(paid.statusCode, paid.body).toBe(201)
      return b.id as string
    }
    await bookAndPay(3)
    const cancelled = await bookAndPay(1)
    const cancel = await env.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${cancelled}/cancel`,
      headers: traveller.auth,
      payload: {},
    })
    expect(cancel.statusCode, cancel.body).toBe(200)

    const month = new Date().toISOString().slice(0, 7)
    const report = await compileMonthlyReport(env.c, month)
    // 3 × 100.01 kept: commission 20% of 300.03 = 60.006 → 60.01 (half-even); the cancelled booking kept nothing.
    expect(report.money).toEqual([
      { currency: 'EUR', captured: 40_004, refunded: 10_001, commission: 6001, vendorShare: 24_002 },
    ])
    expect(report).toMatchObject({ month, bookingsMade: 2, bookingsConfirmed: 2, bookingsCancelled: 1 })
    expect(report.newUsers).toBeGreaterThanOrEqual(3)

    expect((await mailMonthlyReport(env.c, month)).sent).toBeGreaterThanOrEqual(1)
    const [mail] = await smtp.waitFor(admin.email, 1)
    expect(mail!.subject).toBe(`Monthly report ${month}`)
    expect(mail!.text).toMatch(/Commission \(EUR\): EUR\s60\.01/)
    expect(mail!.text).toMatch(/Vendors’ share \(EUR\): EUR\s240\.02/)
    expect((await mailMonthlyReport(env.c, month)).sent).toBe(0)
    expect(smtp.mails.filter((m) => m.subject === `Monthly report ${month}`).length).toBe(
      (await env.c.db.selectFrom('users').select('id').where('role', '=', 'admin').execute()).length,
    )
  })
})
