import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import { inTransaction } from '../../platform/database/transaction.js'
import type { Actor } from '../../shared/actor.js'
import type { Clock } from '../../shared/clock.js'
import { AppError } from '../../shared/errors.js'
import { commissionOn, lockBooking, relationTo } from '../bookings/index.js'
import { type InvoiceContent, renderInvoice } from './invoice-pdf.js'
import { invoiceRepository } from './invoice-repository.js'
import { BookingToPayNotFoundError } from './payment-errors.js'
import { paymentRepository } from './payment-repository.js'

/**
 * The PDF invoice of a paid booking: its owner and admins get the traveller copy; the trip's vendor
 * and admins may get the vendor copy, with the commission line. The number is allocated on first
 * issue, once, under the booking's lock, and kept.
 */
export async function issueInvoice(
  deps: { db: Kysely<DB>; clock: Clock },
  actor: Actor,
  input: { bookingId: string; copy: 'traveller' | 'vendor' },
): Promise<{ number: number; pdf: Buffer }> {
  const now = deps.clock.now()
  const content = await inTransaction(deps.db, async (trx): Promise<InvoiceContent> => {
    const found = await lockBooking(trx, input.bookingId)
    const relation = found ? relationTo(actor, found.booking, found.trip.vendorUserId) : 'none'
    const allowed = relation === 'admin' || relation === (input.copy === 'vendor' ? 'vendor' : 'owner')
    if (!found || !allowed) throw new BookingToPayNotFoundError(input.bookingId)
    const payment = await paymentRepository.liveOfBooking(trx, found.booking.id)
    if (payment?.status !== 'succeeded')
      throw new AppError('conflict', 'invoice.not_paid', 'A booking has an invoice once it is paid.')
    const facts = await invoiceRepository.facts(trx, found.booking.id)
    if (!facts) throw new BookingToPayNotFoundError(input.bookingId)
    const issued =
      (await invoiceRepository.numberOf(trx, found.booking.id)) ??
      (await invoiceRepository.allocate(trx, found.booking.id, now))
    const refunds = (await paymentRepository.refundsOf(trx, payment.id)).filter(
      (r) => r.status === 'succeeded',
    )
    const kept = payment.amount.amount - refunds.reduce((s, r) => s + r.amount.amount, 0)
    const commission = commissionOn(kept, found.booking.commissionBps)
    return {
      number: issued.number,
      issuedAt: issued.issuedAt,
      copy: input.copy,
      booking: {
        id: found.booking.id,
        seats: found.booking.seats,
        unitPrice: found.booking.unitPrice,
        total: found.booking.total,
      },
      trip: facts.trip,
      vendor: facts.vendor,
      traveller: facts.traveller,
      paid: payment.amount,
      refunds: refunds.map((r) => ({ amount: r.amount, at: r.updatedAt, reason: r.reason })),
      ...(input.copy === 'vendor' && {
        commission: {
          commission: { amount: commission, currency: payment.amount.currency },
          vendorShare: { amount: kept - commission, currency: payment.amount.currency },
          rate: `${found.booking.commissionBps / 100}%`,
        },
      }),
    }
  })
  return { number: content.number, pdf: await renderInvoice(content) }
}
