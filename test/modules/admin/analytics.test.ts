import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DB } from '../../../src/platform/database/schema.js'
import { expectProblem, givenAdmin, givenUser } from '../../support/builders.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

/**
 * A data set with known answers, written straight into the tables at chosen instants: bookings in
 * every state, a partial and a full refund, two currencies, a payout, a booking made on one day and
 * paid the next, a half-even tie (30 kept at 15%: 4.5 → 4), and a sale just before the range.
 */
async function seed(db: Kysely<DB>) {
  const user = async (id: string, role: 'traveler' | 'vendor') =>
    db
      .insertInto('users')
      .values({
        id,
        email: `${id}@example.com`,
        name: id,
        phone: null,
        password_hash: 'x',
        role,
        status: 'active',
        created_at: '2031-02-01T00:00:00.000Z',
        updated_at: '2031-02-01T00:00:00.000Z',
        deleted_at: null,
        language: null,
      })
      .execute()
  const vendor = async (id: string, name: string, bps: number) => {
    await user(`usr_${id}`, 'vendor')
    await db
      .insertInto('vendors')
      .values({
        id,
        user_id: `usr_${id}`,
        business_name: name,
        phone: '+1 555 0100',
        payout_account: 'acct_x',
        status: 'approved',
        commission_bps: bps,
        status_reason: null,
        created_at: '2031-02-01T00:00:00.000Z',
        updated_at: '2031-02-01T00:00:00.000Z',
      })
      .execute()
  }
  const trip = async (
    id: string,
    vendorId: string,
    title: string,
    currency: string,
    capacity: number,
    startsAt: string,
  ) =>
    db
      .insertInto('trips')
      .values({
        id,
        vendor_id: vendorId,
        title,
        description: '',
        location: 'X',
        location_key: 'x',
        starts_at: startsAt,
        ends_at: new Date(Date.parse(startsAt) + 3_600_000).toISOString(),
        timezone: 'UTC',
        price_amount: 100,
        price_currency: currency,
        capacity,
        seats_taken: 0,
        cancellation_policy: '{"full_refund_days":7,"half_refund_hours":48}',
        status: 'published',
        created_at: '2031-02-01T00:00:00.000Z',
        updated_at: '2031-02-01T00:00:00.000Z',
      })
      .execute()
  const booking = async (
    id: string,
    tripId: string,
    b: {
      status: string
      seats: number
      total: number
      currency: string
      bps: number
      created: string
      confirmed?: string
      closed?: string
    },
  ) =>
    db
      .insertInto('bookings')
      .values({
        id,
        trip_id: tripId,
        user_id: 'usr_traveller',
        seats: b.seats,
        status: b.status as 'pending',
        unit_price: b.total / b.seats,
        total_amount: b.total,
        currency: b.currency,
        commission_bps: b.bps,
        hold_expires_at: b.created,
        notes: null,
        request_key: null,
        refund_amount: null,
        refund_commission: null,
        refund_vendor_share: null,
        refund_percent: null,
        cancelled_by: null,
        cancel_reason: null,
        created_at: b.created,
        updated_at: b.created,
        confirmed_at: b.confirmed ?? null,
        closed_at: b.closed ?? null,
      })
      .execute()
  const payment = async (
    id: string,
    bookingId: string,
    amount: number,
    currency: string,
    at: string,
    refunded = 0,
  ) =>
    db
      .insertInto('payments')
      .values({
        id,
        booking_id: bookingId,
        user_id: 'usr_traveller',
        amount,
        currency,
        status: 'succeeded',
        payment_method: 'pm_card_visa',
        provider: 'mock',
        provider_id: `pi_${id}`,
        client_secret: null,
        failure_code: null,
        failure_message: null,
        refunded_amount: refunded,
        created_at: at,
        updated_at: at,
        settled_at: at,
      })
      .execute()
  const refund = async (
    id: string,
    paymentId: string,
    bookingId: string,
    amount: number,
    currency: string,
    at: string,
  ) =>
    db
      .insertInto('refunds')
      .values({
        id,
        payment_id: paymentId,
        booking_id: bookingId,
        amount,
        currency,
        status: 'succeeded',
        reason: null,
        provider_id: `re_${id}`,
        failure_message: null,
        created_at: at,
        updated_at: at,
      })
      .execute()

  await user('usr_traveller', 'traveler')
  await vendor('vnd_a', 'Alpha Tours', 2000)
  await vendor('vnd_b', 'Beta Trips', 2000)
  await vendor('vnd_c', 'Gamma Walks', 1500)
  await trip('trp_1', 'vnd_a', 'Douro day', 'EUR', 10, '2031-03-02T10:00:00.000Z')
  await trip('trp_2', 'vnd_b', 'Hudson sail', 'USD', 4, '2031-03-03T10:00:00.000Z')
  await trip('trp_3', 'vnd_c', 'Old town walk', 'EUR', 5, '2031-04-01T10:00:00.000Z')
  const eur = { currency: 'EUR', bps: 2000 }
  await booking('bkg_1', 'trp_1', {
    ...eur,
    status: 'confirmed',
    seats: 2,
    total: 20_002,
    created: '2031-03-01T10:00:00.000Z',
    confirmed: '2031-03-01T10:05:00.000Z',
  })
  await payment('pay_1', 'bkg_1', 20_002, 'EUR', '2031-03-01T10:05:00.000Z')
  // Made on the 1st, paid on the 2nd, half refunded on the 2nd.
  await booking('bkg_2', 'trp_1', {
    ...eur,
    status: 'cancelled',
    seats: 1,
    total: 10_001,
    created: '2031-03-01T23:59:59.000Z',
    confirmed: '2031-03-02T00:00:01.000Z',
    closed: '2031-03-02T12:00:00.000Z',
  })
  await payment('pay_2', 'bkg_2', 10_001, 'EUR', '2031-03-02T00:00:01.000Z', 5001)
  await refund('ref_2', 'pay_2', 'bkg_2', 5001, 'EUR', '2031-03-02T12:00:00.000Z')
  await booking('bkg_3', 'trp_1', {
    ...eur,
    status: 'pending',
    seats: 1,
    total: 10_001,
    created: '2031-03-02T09:00:00.000Z',
  })
  await booking('bkg_4', 'trp_1', {
    ...eur,
    status: 'expired',
    seats: 1,
    total: 10_001,
    created: '2031-03-01T08:00:00.000Z',
    closed: '2031-03-01T08:15:00.000Z',
  })
  await booking('bkg_7', 'trp_3', {
    currency: 'EUR',
    bps: 1500,
    status: 'confirmed',
    seats: 1,
    total: 30,
    created: '2031-03-01T12:00:00.000Z',
    confirmed: '2031-03-01T12:00:00.000Z',
  })
  await payment('pay_7', 'bkg_7', 30, 'EUR', '2031-03-01T12:00:00.000Z')
  // Just before the range: counts nowhere.
  await booking('bkg_8', 'trp_1', {
    ...eur,
    status: 'confirmed',
    seats: 1,
    total: 10_001,
    created: '2031-02-28T23:59:59.999Z',
    confirmed: '2031-02-28T23:59:59.999Z',
  })
  await payment('pay_8', 'bkg_8', 10_001, 'EUR', '2031-02-28T23:59:59.999Z')
  const usd = { currency: 'USD', bps: 2000 }
  // Paid on the 2nd, fully refunded on the 3rd.
  await booking('bkg_5', 'trp_2', {
    ...usd,
    status: 'completed',
    seats: 3,
    total: 9999,
    created: '2031-03-02T10:00:00.000Z',
    confirmed: '2031-03-02T10:01:00.000Z',
    closed: '2031-03-03T11:00:00.000Z',
  })
  await payment('pay_5', 'bkg_5', 9999, 'USD', '2031-03-02T10:01:00.000Z', 9999)
  await refund('ref_5', 'pay_5', 'bkg_5', 9999, 'USD', '2031-03-03T09:00:00.000Z')
  await booking('bkg_6', 'trp_2', {
    ...usd,
    status: 'confirmed',
    seats: 1,
    total: 3333,
    created: '2031-03-03T11:00:00.000Z',
    confirmed: '2031-03-03T11:00:00.000Z',
  })
  await payment('pay_6', 'bkg_6', 3333, 'USD', '2031-03-03T11:00:00.000Z')
  // Vendor A: 80.00 credited, 50.00 paid out on the 3rd.
  const entry = (id: string, amount: number, kind: 'adjustment' | 'payout', at: string) =>
    db
      .insertInto('ledger_entries')
      .values({
        id,
        vendor_id: 'vnd_a',
        currency: 'EUR',
        amount,
        kind,
        booking_id: null,
        source_id: id,
        payout_id: kind === 'payout' ? 'pyo_1' : null,
        reason: null,
        created_by: null,
        created_at: at,
      })
      .execute()
  await entry('led_1', 8000, 'adjustment', '2031-03-01T00:00:00.000Z')
  await entry('led_2', -5000, 'payout', '2031-03-03T00:00:00.000Z')
  await db
    .insertInto('payouts')
    .values({
      id: 'pyo_1',
      vendor_id: 'vnd_a',
      currency: 'EUR',
      period: 'weekly:2031-02-24',
      period_start: '2031-02-24T00:00:00.000Z',
      period_end: '2031-03-03T00:00:00.000Z',
      amount: 5000,
      status: 'paid',
      reason: null,
      destination: 'acct_x',
      provider_id: 'tr_1',
      created_at: '2031-03-03T00:00:00.000Z',
      updated_at: '2031-03-03T00:00:00.000Z',
      paid_at: '2031-03-03T00:00:00.000Z',
    })
    .execute()
}

const EXPECTED = {
  from: '2031-03-01T00:00:00.000Z',
  to: '2031-03-04T00:00:00.000Z',
  interval: 'day',
  currencies: [
    {
      currency: 'EUR',
      bookings: { made: 5, by_status: { confirmed: 2, cancelled: 1, pending: 1, expired: 1 } },
      gross_booking_value: 30_033,
      captured: 30_033,
      refunded: 5001,
      platform_revenue: 5004,
      vendor_share: 20_028,
      payouts_paid: 5000,
      owed_to_vendors: 3000,
      // Trip 1 departs in the range: its sold seats count, bkg_8 (sold before the range) included.
      occupancy: { seats_sold: 3, capacity: 10, rate: 0.3 },
      cancellation_rate: 1 / 3,
      top_vendors: [
        { id: 'vnd_a', name: 'Alpha Tours', kept: 25_002 },
        { id: 'vnd_c', name: 'Gamma Walks', kept: 30 },
      ],
      top_trips: [
        { id: 'trp_1', name: 'Douro day', kept: 25_002 },
        { id: 'trp_3', name: 'Old town walk', kept: 30 },
      ],
      series: [
        { bucket: '2031-03-01', bookings: 4, captured: 20_032, refunded: 0, platform_revenue: 4004 },
        { bucket: '2031-03-02', bookings: 1, captured: 10_001, refunded: 5001, platform_revenue: 1000 },
      ],
      by_channel: [{ channel: 'direct', bookings: 5, gross_booking_value: 30_033, captured: 30_033 }],
    },
    {
      currency: 'USD',
      bookings: { made: 2, by_status: { completed: 1, confirmed: 1 } },
      gross_booking_value: 13_332,
      captured: 13_332,
      refunded: 9999,
      platform_revenue: 667,
      vendor_share: 2666,
      payouts_paid: 0,
      owed_to_vendors: 0,
      occupancy: { seats_sold: 4, capacity: 4, rate: 1 },
      cancellation_rate: 0,
      top_vendors: [{ id: 'vnd_b', name: 'Beta Trips', kept: 3333 }],
      top_trips: [{ id: 'trp_2', name: 'Hudson sail', kept: 3333 }],
      series: [
        { bucket: '2031-03-02', bookings: 1, captured: 9999, refunded: 0, platform_revenue: 2000 },
        { bucket: '2031-03-03', bookings: 1, captured: 3333, refunded: 9999, platform_revenue: -1333 },
      ],
      by_channel: [{ channel: 'direct', bookings: 2, gross_booking_value: 13_332, captured: 13_332 }],
    },
  ],
}

describe.each(stacks)('admin analytics on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  beforeAll(async () => {
    env = await givenApp(stack)
    await seed(env.c.db)
    admin = await givenAdmin(env)
  })
  afterAll(() => env.close())

  const ask = (query: string, auth = admin.auth) =>
    env.app.inject({ url: `/api/v1/admin/analytics?${query}`, headers: auth })

  it('when asked for a known data set by day, then every figure is exact, per currency, with UTC buckets', async () => {
    const res = await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=day')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual(EXPECTED)
  })

  it('when one currency is asked, then only its figures come back; by week, the buckets start on Mondays', async () => {
    const usd = (
      await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=day&currency=USD')
    ).json()
    expect(usd.currencies).toEqual([EXPECTED.currencies[1]])
    const weekly = (await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=week')).json()
    // 1 March 2031 is a Saturday: its week began on Monday 24 February; the 3rd starts the next.
    expect(weekly.currencies[0].series.map((s: { bucket: string }) => s.bucket)).toEqual(['2031-02-24'])
    expect(weekly.currencies[1].series).toEqual([
      { bucket: '2031-02-24', bookings: 1, captured: 9999, refunded: 0, platform_revenue: 2000 },
      { bucket: '2031-03-03', bookings: 1, captured: 3333, refunded: 9999, platform_revenue: -1333 },
    ])
    const monthly = (await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=month')).json()
    expect(monthly.currencies[0].series).toEqual([
      { bucket: '2031-03-01', bookings: 5, captured: 30_033, refunded: 5001, platform_revenue: 5004 },
    ])
  })

  it('when the question is wrong or not an admin’s, then 400 or 403', async () => {
    expectProblem(await ask('from=2031-03-04T00:00:00Z&to=2031-03-01T00:00:00Z&interval=day'), 400)
    expectProblem(await ask('from=2020-01-01T00:00:00Z&to=2031-01-01T00:00:00Z&interval=day'), 400)
    expectProblem(await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=hour'), 400)
    expectProblem(
      await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=day&currency=eur'),
      400,
    )
    const traveller = await givenUser(env.app)
    expectProblem(
      await ask('from=2031-03-01T00:00:00Z&to=2031-03-04T00:00:00Z&interval=day', traveller.auth),
      403,
    )
  })
})
