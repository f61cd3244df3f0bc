import { randomUUID } from 'node:crypto'
import {
  zAvailability,
  zAvailabilityCalendar,
  zBaseError,
  zBooking,
  zErrorInvalidAvailabilityId,
  zErrorInvalidBookingUuid,
  zErrorInvalidOptionId,
  zErrorInvalidProductId,
  zErrorInvalidUnitId,
  zProduct,
  zSupplier,
} from '@octocloud/types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expireHolds } from '../../../src/modules/bookings/index.js'
import {
  dayFromNow,
  type GivenVendor,
  givenAdmin,
  givenReseller,
  givenVendor,
  productBody,
} from '../../support/builders.js'
import { conforms, listOf, octoClient, type Reply, type Schema } from '../../support/octo.js'
import { givenApp, stacks, type TestEnv } from '../../support/stacks.js'

type Json = any

/** The body, after checking the status and the body against the OCTO specification's own schema. */
function valid(res: Reply, schema: Schema, status = 200): Json {
  expect(res.statusCode, res.body).toBe(status)
  return conforms(res, schema)
}

const list = listOf

/** An OCTO error: 400, the spec's shape, this error name. */
function octoError(
  res: { statusCode: number; body: string; json(): Json },
  error: string,
  schema: Schema = zBaseError,
) {
  const body = valid(res, schema, 400)
  expect(body.error, res.body).toBe(error)
  return body
}

describe.each(stacks)('OCTO conformance scenarios on $name', (stack) => {
  let env: TestEnv
  let admin: Awaited<ReturnType<typeof givenAdmin>>
  let vendor: GivenVendor
  let key: string
  let product: Json
  let nearProduct: Json
  let tinyProduct: Json
  const octo = (method: string, url: string, payload?: object, apiKey: string | null = key) =>
    octoClient(env.app, apiKey)(method, url, payload)
  const seatsLeft = async (tripId: string) =>
    (await env.app.inject(`/api/v1/trips/${tripId}`)).json().seats_available

  beforeAll(async () => {
    env = await givenApp(stack)
    admin = await givenAdmin(env)
    vendor = await givenVendor(env.app, admin)
    const publish = async (body: object) => {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/v1/products',
        headers: vendor.auth,
        payload: body,
      })
      expect(res.statusCode, res.body).toBe(201)
      return res.json()
    }
    // Several departures in the next 30 days, one 2 days away (50% refund tier) and one of a single seat.
    product = await publish(
      productBody({
        schedule: {
          days_of_week: [1, 2, 3, 4, 5, 6, 7],
          start_times: ['09:00', '15:00'],
          from: dayFromNow(8),
          to: dayFromNow(29),
        },
      }),
    )
    nearProduct = await publish(
      productBody({ title: 'Cascais sunset sail', schedule: { dates: [`${dayFromNow(3)}T18:00`] } }),
    )
    tinyProduct = await publish(
      productBody({ title: 'Private tram', capacity: 1, schedule: { dates: [`${dayFromNow(10)}T10:00`] } }),
    )
    key = (await givenReseller(env.app, admin, vendor, { commissionBps: 1500 })).key
  })
  afterAll(() => env.close())

  it('supplier: the vendor, its endpoint, and the capabilities echoed', async () => {
    const res = await octo('GET', '/supplier')
    const supplier = valid(res, zSupplier)
    expect(supplier).toMatchObject({ id: vendor.id, name: 'Vera Tours', contact: { email: vendor.email } })
    expect(res.headers['octo-capabilities']).toBe('octo/pricing')
  })

  it('products and one product: one option, one adult unit, retail and net prices', async () => {
    const products = valid(await octo('GET', '/products'), list(zProduct))
    expect(products.map((p: Json) => p.id)).toEqual(expect.arrayContaining([product.id, nearProduct.id]))
    const one = valid(await octo('GET', `/products/${product.id}`), zProduct)
    expect(one.options).toHaveLength(1)
    expect(one.options[0].availabilityLocalStartTimes).toEqual(['09:00', '15:00'])
    expect(one.options[0].units.map((u: Json) => u.type)).toEqual(['ADULT'])
    expect(one.options[0].pricingFrom[0]).toMatchObject({
      retail: 6_900,
      net: 5_865,
      currency: 'EUR',
      currencyPrecision: 2,
    })
    octoError(
      await octo('GET', '/products/prd_0000000000000000000000000z'),
      'INVALID_PRODUCT_ID',
      zErrorInvalidProductId,
    )
    octoError(await octo('GET', '/products/nonsense'), 'INVALID_PRODUCT_ID', zErrorInvalidProductId)
  })

  it('availability: a 30-day calendar, by date, by range and by ids; invalid product or option; neither date nor ids', async () => {
    const base = { productId: product.id, optionId: 'DEFAULT', units: [{ id: 'adult', quantity: 2 }] }
    const calendar = valid(
      await octo('POST', '/availability/calendar', {
        ...base,
        localDateStart: dayFromNow(1),
        localDateEnd: dayFromNow(30),
      }),
      list(zAvailabilityCalendar),
    )
    expect(calendar).toHaveLength(30)
    expect(calendar.filter((d: Json) => d.available).length).toBeGreaterThanOrEqual(20)
    expect(calendar[0]).toMatchObject({ status: 'CLOSED', available: false })

    const day = valid(
      await octo('POST', '/availability', { ...base, localDate: dayFromNow(10) }),
      list(zAvailability),
    )
    expect(day).toHaveLength(2)
    expect(day[0]).toMatchObject({ available: true, status: 'AVAILABLE', vacancies: 12, capacity: 12 })
    expect(day[0].pricing).toMatchObject({ retail: 13_800, net: 11_730 })
    const range = valid(
      await octo('POST', '/availability', {
        ...base,
        localDateStart: dayFromNow(10),
        localDateEnd: dayFromNow(12),
      }),
      list(zAvailability),
    )
    expect(range).toHaveLength(6)
    const ids = [range[1].id, range[4].id]
    const byIds = valid(
      await octo('POST', '/availability', { ...base, availabilityIds: ids }),
      list(zAvailability),
    )
    expect(byIds.map((a: Json) => a.id)).toEqual(ids)

    octoError(
      await octo('POST', '/availability', {
        ...base,
        productId: 'prd_0000000000000000000000000z',
        localDate: dayFromNow(10),
      }),
      'INVALID_PRODUCT_ID',
      zErrorInvalidProductId,
    )
    octoError(
      await octo('POST', '/availability', { ...base, optionId: 'VIP', localDate: dayFromNow(10) }),
      'INVALID_OPTION_ID',
      zErrorInvalidOptionId,
    )
    octoError(
      await octo('POST', '/availability/calendar', {
        ...base,
        optionId: 'VIP',
        localDateStart: dayFromNow(1),
        localDateEnd: dayFromNow(2),
      }),
      'INVALID_OPTION_ID',
      zErrorInvalidOptionId,
    )
    octoError(await octo('POST', '/availability', base), 'BAD_REQUEST')
    octoError(
      await octo('POST', '/availability', { ...base, availabilityIds: ['2020-01-01T09:00:00+00:00'] }),
      'INVALID_AVAILABILITY_ID',
      zErrorInvalidAvailabilityId,
    )
  })

  const availabilityOn = async (p: Json, localDate: string, index = 0) =>
    valid(
      await octo('POST', '/availability', { productId: p.id, optionId: 'DEFAULT', localDate }),
      list(zAvailability),
    )[index]
  const reserve = async (p: Json, availabilityId: string, extra: object = {}) =>
    octo('POST', '/bookings', {
      uuid: randomUUID(),
      productId: p.id,
      optionId: 'DEFAULT',
      availabilityId,
      unitItems: [{ unitId: 'adult' }, { unitId: 'adult' }],
      ...extra,
    })

  it('reservation, extend, confirm with more unit items: seats held, then sold, the reseller owing the net price', async () => {
    const availability = await availabilityOn(product, dayFromNow(11))
    const tripId = product.departures.find((d: Json) => d.starts_at_local === availability.id).trip_id
    const held = valid(
      await reserve(product, availability.id, { expirationMinutes: 20, resellerReference: 'OTA-1' }),
      zBooking,
    )
    expect(held).toMatchObject({
      status: 'ON_HOLD',
      resellerReference: 'OTA-1',
      availabilityId: availability.id,
    })
    expect(Date.parse(held.utcExpiresAt) - Date.now()).toBeGreaterThan(19 * 60_000)
    expect(held.unitItems).toHaveLength(2)
    expect(await seatsLeft(tripId)).toBe(10)

    const extended = valid(
      await octo('POST', `/bookings/${held.uuid}/extend`, { expirationMinutes: 45 }),
      zBooking,
    )
    expect(Date.parse(extended.utcExpiresAt)).toBeGreaterThan(Date.parse(held.utcExpiresAt))

    const confirmed = valid(
      await octo('POST', `/bookings/${held.uuid}/confirm`, {
        contact: { fullName: 'Ana Lima', emailAddress: 'ana@example.com', locales: ['pt'] },
        unitItems: [{ unitId: 'adult' }, { unitId: 'adult' }, { unitId: 'adult' }],
      }),
      zBooking,
    )
    expect(confirmed).toMatchObject({
      status: 'CONFIRMED',
      utcExpiresAt: null,
      contact: { fullName: 'Ana Lima' },
    })
    expect(confirmed.unitItems).toHaveLength(3)
    expect(confirmed.pricing).toMatchObject({ retail: 20_700, net: 17_595 })
    expect(confirmed.voucher.deliveryOptions[0].deliveryFormat).toBe('QRCODE')
    expect(await seatsLeft(tripId)).toBe(9)
    const payment = await env.c.db
      .selectFrom('payments')
      .selectAll()
      .where('booking_id', '=', confirmed.id)
      .executeTakeFirstOrThrow()
    expect(payment).toMatchObject({ provider: 'reseller', status: 'succeeded', amount: 17_595 })
    // Confirming again changes nothing.
    const again = valid(await octo('POST', `/bookings/${held.uuid}/confirm`, { contact: {} }), zBooking)
    expect(again.status).toBe('CONFIRMED')
    expect(
      await env.c.db.selectFrom('payments').select('id').where('booking_id', '=', confirmed.id).execute(),
    ).toHaveLength(1)

    // The vendor sees the channel and the reseller's reference; the events carry the channel.
    const seen = (
      await env.app.inject({ url: `/api/v1/bookings/${confirmed.id}`, headers: vendor.auth })
    ).json()
    expect(seen).toMatchObject({
      channel: 'octo',
      reseller: { reference: 'OTA-1', uuid: held.uuid, net: { amount: 17_595 } },
    })
    const events = await env.c.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('aggregate_id', '=', confirmed.id)
      .execute()
    expect(events.map((e) => e.type).sort()).toEqual(['booking.confirmed', 'booking.created'])
    for (const e of events) expect(JSON.parse(e.payload).channel).toBe('octo')
  })

  it('update of a reservation: another date, other unit items, a contact; the seats move with it', async () => {
    const first = await availabilityOn(product, dayFromNow(12))
    const second = await availabilityOn(product, dayFromNow(13), 1)
    const held = valid(await reserve(product, first.id), zBooking)
    const updated = valid(
      await octo('PATCH', `/bookings/${held.uuid}`, {
        availabilityId: second.id,
        unitItems: [{ unitId: 'adult', resellerReference: 'seat-1' }],
        contact: { firstName: 'Rui', lastName: 'Costa' },
        notes: 'window seat',
      }),
      zBooking,
    )
    expect(updated).toMatchObject({
      status: 'ON_HOLD',
      availabilityId: second.id,
      notes: 'window seat',
      contact: { firstName: 'Rui' },
    })
    expect(updated.unitItems).toEqual([expect.objectContaining({ resellerReference: 'seat-1' })])
    const trip = (id: string) => product.departures.find((d: Json) => d.starts_at_local === id).trip_id
    expect(await seatsLeft(trip(first.id))).toBe(12)
    expect(await seatsLeft(trip(second.id))).toBe(11)
  })

  it('cancel of a reservation (FULL, seats back) and of a confirmed booking inside the 50% tier (PARTIAL, credited)', async () => {
    const availability = await availabilityOn(product, dayFromNow(14))
    const held = valid(await reserve(product, availability.id), zBooking)
    const cancelled = valid(
      await octo('POST', `/bookings/${held.uuid}/cancel`, { reason: 'customer changed plans' }),
      zBooking,
    )
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      cancellable: false,
      cancellation: { refund: 'FULL', reason: 'customer changed plans' },
    })
    expect(cancelled.availability.vacancies).toBe(12)

    const near = await availabilityOn(nearProduct, dayFromNow(3))
    const sold = valid(await reserve(nearProduct, near.id), zBooking)
    valid(await octo('POST', `/bookings/${sold.uuid}/confirm`, { contact: { fullName: 'Eva' } }), zBooking)
    const gone = valid(await octo('POST', `/bookings/${sold.uuid}/cancel`, {}), zBooking)
    expect(gone.cancellation.refund).toBe('PARTIAL')
    const refund = await env.c.db
      .selectFrom('refunds')
      .selectAll()
      .where('booking_id', '=', gone.id)
      .executeTakeFirstOrThrow()
    // Half of what the reseller owed (2 × 69.00 less 15%: 117.30) is credited, at once.
    expect(refund).toMatchObject({ amount: 5_865, status: 'succeeded' })
    octoError(await octo('POST', `/bookings/${sold.uuid}/cancel`, {}), 'UNPROCESSABLE_ENTITY')
  })

  it('when a reservation is not confirmed in time, then the expiry job lets its seats go: EXPIRED, and it can no longer be extended or confirmed', async () => {
    const availability = await availabilityOn(product, dayFromNow(18))
    const tripId = product.departures.find((d: Json) => d.starts_at_local === availability.id).trip_id
    const held = valid(await reserve(product, availability.id, { expirationMinutes: 5 }), zBooking)
    expect(await seatsLeft(tripId)).toBe(10)
    // Its time passes (the hold ends in the past) and the schedule's job runs.
    await env.c.db
      .updateTable('bookings')
      .set({ hold_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', held.id)
      .execute()
    octoError(await octo('POST', `/bookings/${held.uuid}/confirm`, { contact: {} }), 'UNPROCESSABLE_ENTITY')
    await expireHolds(env.c)
    const expired = valid(await octo('GET', `/bookings/${held.uuid}`), zBooking)
    expect(expired).toMatchObject({ status: 'EXPIRED', utcExpiresAt: null, cancellable: false })
    expect(await seatsLeft(tripId)).toBe(12)
    octoError(
      await octo('POST', `/bookings/${held.uuid}/extend`, { expirationMinutes: 10 }),
      'UNPROCESSABLE_ENTITY',
    )
    octoError(await octo('POST', `/bookings/${held.uuid}/confirm`, { contact: {} }), 'UNPROCESSABLE_ENTITY')
  })

  it('get, and list by supplier reference, reseller reference or date; no filter is BAD_REQUEST', async () => {
    const availability = await availabilityOn(product, dayFromNow(15))
    const held = valid(await reserve(product, availability.id, { resellerReference: 'OTA-LIST' }), zBooking)
    expect(valid(await octo('GET', `/bookings/${held.uuid}`), zBooking).id).toBe(held.id)
    const bySupplier = valid(await octo('GET', `/bookings?supplierReference=${held.id}`), list(zBooking))
    expect(bySupplier.map((b: Json) => b.uuid)).toEqual([held.uuid])
    const byReseller = valid(await octo('GET', '/bookings?resellerReference=OTA-LIST'), list(zBooking))
    expect(byReseller.map((b: Json) => b.uuid)).toEqual([held.uuid])
    const byDate = valid(await octo('GET', `/bookings?localDate=${dayFromNow(15)}`), list(zBooking))
    expect(byDate.map((b: Json) => b.uuid)).toContain(held.uuid)
    expect(
      valid(await octo('GET', `/bookings?localDate=${dayFromNow(16)}`), list(zBooking)).map(
        (b: Json) => b.uuid,
      ),
    ).not.toContain(held.uuid)
    octoError(await octo('GET', '/bookings'), 'BAD_REQUEST')
  })

  it('a sold-out availability, an unknown unit, empty unit items and an unknown uuid are refused as OCTO says', async () => {
    const only = await availabilityOn(tinyProduct, dayFromNow(10))
    valid(await reserve(tinyProduct, only.id, { unitItems: [{ unitId: 'adult' }] }), zBooking)
    const after = await availabilityOn(tinyProduct, dayFromNow(10))
    expect(after).toMatchObject({ status: 'SOLD_OUT', available: false, vacancies: 0 })
    octoError(
      await reserve(tinyProduct, only.id, { unitItems: [{ unitId: 'adult' }] }),
      'UNPROCESSABLE_ENTITY',
    )
    const open = await availabilityOn(product, dayFromNow(16))
    octoError(
      await reserve(product, open.id, { unitItems: [{ unitId: 'child' }] }),
      'INVALID_UNIT_ID',
      zErrorInvalidUnitId,
    )
    octoError(await reserve(product, open.id, { unitItems: [] }), 'UNPROCESSABLE_ENTITY')
    octoError(
      await reserve(product, open.id, { availabilityId: undefined }),
      'INVALID_AVAILABILITY_ID',
      zErrorInvalidAvailabilityId,
    )
    const unknown = randomUUID()
    const body = octoError(
      await octo('GET', `/bookings/${unknown}`),
      'INVALID_BOOKING_UUID',
      zErrorInvalidBookingUuid,
    )
    expect(body.uuid).toBe(unknown)
    octoError(
      await octo('POST', `/bookings/${unknown}/confirm`, { contact: {} }),
      'INVALID_BOOKING_UUID',
      zErrorInvalidBookingUuid,
    )
    expect(
      await seatsLeft(
        open.id ? product.departures.find((d: Json) => d.starts_at_local === open.id).trip_id : '',
      ),
    ).toBe(12)
  })

  it('the same uuid sent twice, or five times at once, reserves once', async () => {
    const availability = await availabilityOn(product, dayFromNow(17))
    const tripId = product.departures.find((d: Json) => d.starts_at_local === availability.id).trip_id
    const uuid = randomUUID()
    const body = {
      uuid,
      productId: product.id,
      optionId: 'DEFAULT',
      availabilityId: availability.id,
      unitItems: [{ unitId: 'adult' }],
    }
    const first = valid(await octo('POST', '/bookings', body), zBooking)
    const second = valid(await octo('POST', '/bookings', body), zBooking)
    expect(second.id).toBe(first.id)
    const racing = randomUUID()
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => octo('POST', '/bookings', { ...body, uuid: racing })),
    )
    const ids = new Set(answers.map((r) => valid(r, zBooking).id))
    expect(ids.size).toBe(1)
    expect(await seatsLeft(tripId)).toBe(10)
  })

  it('when malformed requests hit every OCTO route, then each is an OCTO error, never a 5xx, and no booking is made', async () => {
    const before = await env.c.db.selectFrom('bookings').select('id').execute()
    const junk: unknown[] = [
      {},
      { productId: 42 },
      { productId: product.id, optionId: 'DEFAULT', unitItems: 'many' },
      {
        productId: product.id,
        optionId: 'DEFAULT',
        availabilityId: 'tomorrow',
        unitItems: [{ unitId: 'adult' }],
      },
      {
        productId: product.id,
        optionId: 'DEFAULT',
        localDateStart: '2027-02-30',
        localDateEnd: '2027-03-01',
      },
      {
        productId: product.id,
        optionId: 'DEFAULT',
        localDateStart: '2027-01-01',
        localDateEnd: '2029-01-01',
      },
      { uuid: 'not-a-uuid', productId: product.id },
      { expirationMinutes: -5, contact: { emailAddress: 'nope' } },
      { unitItems: [{ unitId: 'adult', uuid: 7 }] },
      [],
    ]
    const routes: [string, string][] = [
      ['POST', '/availability'],
      ['POST', '/availability/calendar'],
      ['POST', '/bookings'],
      ['POST', `/bookings/${randomUUID()}/confirm`],
      ['POST', `/bookings/${randomUUID()}/extend`],
      ['POST', `/bookings/${randomUUID()}/cancel`],
      ['PATCH', `/bookings/${randomUUID()}`],
    ]
    for (const [method, url] of routes)
      for (const body of junk) {
        const res = await env.app.inject({
          method: method as 'POST',
          url: `/octo${url}`,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        })
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)}: ${res.body}`).toBe(400)
        valid(res, zBaseError, 400)
      }
    for (const url of ['/bookings?localDate=yesterday', '/products/%00', '/bookings/%E0%A4%A']) {
      // (A URL that cannot be decoded is refused before routing, as problem+json like everywhere.)
      const res = await env.app.inject({ url: `/octo${url}`, headers: { authorization: `Bearer ${key}` } })
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400)
    }
    expect(await env.c.db.selectFrom('bookings').select('id').execute()).toHaveLength(before.length)
  })

  it('without a key, or with a wrong one, nothing is answered but the error', async () => {
    octoError(await octo('GET', '/products', undefined, null), 'UNAUTHORIZED')
    octoError(await octo('GET', '/products', undefined, 'trv_octo_not-a-key'), 'FORBIDDEN')
  })
})
