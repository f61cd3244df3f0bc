/**
 * Our catalogue and reseller bookings in OCTO's shapes (the specification's schemas in
 * `@octocloud/types` check these in the tests). Pure: no I/O.
 */

import { type Money, minorUnits, mulDivHalfEven } from '../../shared/money.js'
import { localIso } from '../../shared/time.js'
import type { Booking, BookingStatus, Contact, TripContext } from '../bookings/index.js'
import type { Departure, Product } from '../trips/index.js'

/** One option and one unit per product: a booking's unit items are its seats. */
export const OPTION_ID = 'DEFAULT'
export const UNIT_ID = 'adult'

/** The capabilities this supplier implements; a request's Octo-Capabilities is answered with these. */
export const CAPABILITIES = ['octo/pricing'] as const

/** What the request asked for that changes answers: pricing (octo/pricing) and the reseller's commission. */
export interface ViewContext {
  pricing: boolean
  commissionBps: number
}

/** OCTO pricing of a retail amount: retail, the reseller's net, the currency and its precision. */
export interface OctoPricing {
  original: number
  retail: number
  net: number
  currency: string
  currencyPrecision: number
  includedTaxes: never[]
}

type Status = 'AVAILABLE' | 'FREESALE' | 'SOLD_OUT' | 'LIMITED' | 'CLOSED'

export function pricingOf(retail: Money, commissionBps: number): OctoPricing {
  return {
    original: retail.amount,
    retail: retail.amount,
    net: retail.amount - mulDivHalfEven(retail.amount, commissionBps, 10_000),
    currency: retail.currency,
    currencyPrecision: minorUnits(retail.currency),
    includedTaxes: [],
  }
}

export function supplierView(
  vendor: { id: string; businessName: string; phone: string; email: string | null },
  endpoint: string,
) {
  return {
    id: vendor.id,
    name: vendor.businessName,
    endpoint,
    contact: { website: null, email: vendor.email, telephone: vendor.phone, address: null },
  }
}

function unitView(priceFrom: Money | null, ctx: ViewContext) {
  return {
    id: UNIT_ID,
    internalName: 'Adult',
    reference: null,
    type: 'ADULT' as const,
    restrictions: {
      minAge: 0,
      maxAge: 100,
      idRequired: false,
      minQuantity: null,
      maxQuantity: null,
      paxCount: 1,
      accompaniedBy: [],
    },
    requiredContactFields: [],
    ...(ctx.pricing && priceFrom && { pricingFrom: [pricingOf(priceFrom, ctx.commissionBps)] }),
  }
}

/** HH:mm of a departure in its zone. */
const localTime = (d: Pick<Departure, 'startsAt' | 'timezone'>) =>
  localIso(d.startsAt, d.timezone).slice(11, 16)

function startTimes(product: Product, departures: Departure[]): string[] {
  const times = new Set(departures.map(localTime))
  if (product.schedule.kind === 'weekly') for (const t of product.schedule.startTimes) times.add(t)
  if (product.schedule.kind === 'dates') for (const s of product.schedule.starts) times.add(s.slice(11, 16))
  return times.size > 0 ? [...times].sort() : ['00:00']
}

function cheapest(departures: Departure[]): Money | null {
  const first = departures[0]
  if (!first) return null
  const same = departures.filter((d) => d.price.currency === first.price.currency)
  return { amount: Math.min(...same.map((d) => d.price.amount)), currency: first.price.currency }
}

/** A product with its one option and unit; `departures` are its upcoming ones (start times, prices). */
export function productView(product: Product, departures: Departure[], ctx: ViewContext) {
  const from = cheapest(departures)
  const option = {
    id: OPTION_ID,
    default: true,
    internalName: 'Default',
    reference: null,
    availabilityLocalStartTimes: startTimes(product, departures),
    cancellationCutoff: '0 hours',
    cancellationCutoffAmount: 0,
    cancellationCutoffUnit: 'hour' as const,
    requiredContactFields: [],
    restrictions: { minUnits: 1, maxUnits: null },
    units: [unitView(from, ctx)],
    ...(ctx.pricing && from && { pricingFrom: [pricingOf(from, ctx.commissionBps)] }),
  }
  return {
    id: product.id,
    internalName: product.title,
    reference: null,
    locale: 'en',
    timeZone: product.timezone,
    allowFreesale: false,
    instantConfirmation: true,
    instantDelivery: true,
    availabilityRequired: true,
    availabilityType: 'START_TIME' as const,
    deliveryFormats: ['QRCODE' as const],
    deliveryMethods: ['VOUCHER' as const],
    redemptionMethod: 'DIGITAL' as const,
    options: [option],
    ...(ctx.pricing &&
      from && {
        defaultCurrency: from.currency,
        availableCurrencies: [...new Set(departures.map((d) => d.price.currency))],
        pricingPer: 'UNIT' as const,
      }),
  }
}

/** A departure's availability id: its local start with offset, as OCTO suppliers name them. */
export const availabilityId = (d: Pick<Departure, 'startsAt' | 'timezone'>) =>
  localIso(d.startsAt, d.timezone)

function statusOf(vacancies: number, capacity: number, open: boolean): Status {
  if (!open) return 'CLOSED'
  if (vacancies <= 0) return 'SOLD_OUT'
  return vacancies * 2 < capacity ? 'LIMITED' : 'AVAILABLE'
}

/** A departure's availability for `wanted` seats, at `now` (a departed or cancelled one is closed). */
export function availabilityView(d: Departure, wanted: number, now: Date, ctx: ViewContext) {
  const vacancies = Math.max(0, d.capacity - d.seatsTaken)
  const open = d.status === 'published' && Date.parse(d.startsAt) > now.getTime()
  const price = pricingOf(d.price, ctx.commissionBps)
  return {
    id: availabilityId(d),
    localDateTimeStart: localIso(d.startsAt, d.timezone),
    localDateTimeEnd: localIso(d.endsAt, d.timezone),
    utcCutoffAt: new Date(d.startsAt).toISOString(),
    allDay: false,
    available: open && vacancies >= Math.max(1, wanted),
    status: statusOf(vacancies, d.capacity, open),
    vacancies: open ? vacancies : 0,
    capacity: d.capacity,
    maxUnits: open ? vacancies : 0,
    openingHours: [],
    ...(ctx.pricing && {
      unitPricing: [{ ...price, unitId: UNIT_ID }],
      pricing: {
        ...price,
        original: price.original * Math.max(1, wanted),
        retail: price.retail * Math.max(1, wanted),
        net: mulNet(d.price, Math.max(1, wanted), ctx),
      },
    }),
  }
}

const mulNet = (price: Money, units: number, ctx: ViewContext) =>
  pricingOf({ amount: price.amount * units, currency: price.currency }, ctx.commissionBps).net

/** The days of a range: departures grouped by local date, with vacancies summed. */
export function calendarView(
  days: string[],
  departures: Departure[],
  wanted: number,
  now: Date,
  ctx: ViewContext,
) {
  const byDay = new Map<string, Departure[]>()
  for (const d of departures) {
    const day = localIso(d.startsAt, d.timezone).slice(0, 10)
    byDay.set(day, [...(byDay.get(day) ?? []), d])
  }
  return days.map((localDate) => {
    const open = (byDay.get(localDate) ?? []).filter(
      (d) => d.status === 'published' && Date.parse(d.startsAt) > now.getTime(),
    )
    const vacancies = open.reduce((n, d) => n + Math.max(0, d.capacity - d.seatsTaken), 0)
    const capacity = open.reduce((n, d) => n + d.capacity, 0)
    const from = cheapest(open)
    const price = from && pricingOf(from, ctx.commissionBps)
    return {
      localDate,
      available: open.some((d) => d.capacity - d.seatsTaken >= Math.max(1, wanted)),
      status: statusOf(vacancies, capacity, open.length > 0),
      vacancies,
      capacity,
      openingHours: [],
      ...(ctx.pricing && price && { unitPricingFrom: [{ ...price, unitId: UNIT_ID }], pricingFrom: price }),
    }
  })
}

/** OCTO's refund type of a cancelled booking: FULL when nothing was paid or all came back. */
export function refundType(booking: Pick<Booking, 'confirmedAt' | 'refund'>): 'FULL' | 'PARTIAL' | 'NONE' {
  const percent = booking.refund?.percent ?? 100
  if (booking.confirmedAt === null || percent >= 100) return 'FULL'
  return percent <= 0 ? 'NONE' : 'PARTIAL'
}

const STATUS: Record<BookingStatus, 'ON_HOLD' | 'CONFIRMED' | 'REDEEMED' | 'CANCELLED' | 'EXPIRED'> = {
  pending: 'ON_HOLD',
  confirmed: 'CONFIRMED',
  completed: 'REDEEMED',
  cancelled: 'CANCELLED',
  expired: 'EXPIRED',
}

export function contactView(c: Contact): Contact {
  return { ...c }
}

/** A reseller's booking in OCTO's words; its departure comes from the booking's trip. */
export function bookingView(
  booking: Booking,
  trip: TripContext & { endsAt: string },
  now: Date,
  ctx: ViewContext,
) {
  const sale = booking.reseller!
  const status = STATUS[booking.status]
  const confirmed = booking.status === 'confirmed' || booking.status === 'completed'
  const ticket = (value: string) => ({
    redemptionMethod: 'DIGITAL' as const,
    utcRedeemedAt: booking.status === 'completed' ? booking.closedAt : null,
    deliveryOptions: [{ deliveryFormat: 'QRCODE' as const, deliveryValue: value }],
  })
  const departure: Departure = {
    tripId: trip.tripId,
    startsAt: trip.startsAt,
    endsAt: trip.endsAt,
    timezone: trip.timezone,
    price: { amount: trip.price, currency: trip.currency },
    capacity: trip.capacity,
    seatsTaken: trip.seatsTaken,
    status: trip.status,
    cancellationPolicy: { tiers: trip.policy },
  }
  const unitPrice = pricingOf(booking.unitPrice, ctx.commissionBps)
  return {
    id: booking.id,
    uuid: sale.uuid,
    testMode: false,
    resellerReference: sale.reference,
    supplierReference: booking.id,
    status,
    utcCreatedAt: booking.createdAt,
    utcUpdatedAt: booking.updatedAt,
    utcExpiresAt: booking.status === 'pending' ? booking.holdExpiresAt : null,
    utcRedeemedAt: booking.status === 'completed' ? booking.closedAt : null,
    utcConfirmedAt: booking.confirmedAt,
    productId: trip.productId ?? '',
    optionId: OPTION_ID,
    cancellable:
      (booking.status === 'pending' || booking.status === 'confirmed') &&
      Date.parse(trip.startsAt) > now.getTime(),
    cancellation:
      booking.status === 'cancelled'
        ? {
            refund: refundType(booking),
            reason: booking.cancelReason,
            utcCancelledAt: booking.closedAt ?? booking.updatedAt,
          }
        : null,
    freesale: false,
    availabilityId: availabilityId(departure),
    availability: availabilityView(departure, booking.seats, now, ctx),
    contact: contactView(sale.contact),
    notes: booking.notes,
    deliveryMethods: ['VOUCHER' as const],
    voucher: confirmed ? ticket(booking.id) : null,
    unitItems: sale.unitItems.map((item, i) => ({
      uuid: item.uuid,
      resellerReference: item.resellerReference,
      supplierReference: `${booking.id}-${i + 1}`,
      unitId: UNIT_ID,
      status,
      utcRedeemedAt: booking.status === 'completed' ? booking.closedAt : null,
      contact: contactView(item.contact),
      ticket: confirmed ? ticket(`${booking.id}-${i + 1}`) : null,
      ...(ctx.pricing && { pricing: unitPrice }),
    })),
    ...(ctx.pricing && {
      pricing: { ...pricingOf(booking.total, ctx.commissionBps), net: sale.net },
    }),
  }
}
