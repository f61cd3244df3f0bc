import type { Kysely } from 'kysely'
import type { DB } from '../../platform/database/schema.js'
import type { DeliveredEvent, EventHandler, HandlerTable } from '../../platform/events/events.js'
import type { Mailer } from '../../platform/mailer/mailer.js'
import type { Money } from '../../shared/money.js'
import { type MailContent, mailLanguage, renderMail } from './mail-templates.js'
import { noticeRepository, type Recipient } from './notice-repository.js'

type Compose = (
  trx: Kysely<DB>,
  event: DeliveredEvent,
) => Promise<{ to: Recipient; content: MailContent } | undefined>

/** The key of the one mail a handler sends for an event: a repeat carries the same Message-ID. */
export const mailMessageId = (eventId: string, handler: string) => `${eventId}.${handler}@travellr`

/**
 * A handler that sends one mail for an event. It runs inside the delivery's transaction (see
 * deliverEvent), so once the processed record commits the mail is never sent again; a crash between
 * the send and the commit repeats it with the same Message-ID.
 */
function mailHandler(mailer: Mailer, name: string, compose: Compose): EventHandler {
  return {
    name,
    async handle(trx, event) {
      const mail = await compose(trx, event)
      if (!mail) return
      const language = mailLanguage(mail.to.language)
      await mailer.send({
        to: mail.to.email,
        ...renderMail(mail.content, language),
        messageId: mailMessageId(event.id, name),
        language,
      })
    },
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/** A booking mail to the traveller or the vendor, built from the booking the event names. */
function bookingMail(
  who: 'traveller' | 'vendor',
  content: (
    facts: NonNullable<Awaited<ReturnType<typeof noticeRepository.booking>>>['facts'],
    event: DeliveredEvent,
  ) => MailContent | undefined,
): Compose {
  return async (trx, event) => {
    const found = await noticeRepository.booking(trx, str(event.payload.booking_id))
    const to = found?.[who]
    const body = found && content(found.facts, event)
    return to && body ? { to, content: body } : undefined
  }
}

/** Mails for every event that mails someone (PRODUCT.md §3, issue 11). */
export function notificationHandlers(deps: { mailer: Mailer }): HandlerTable {
  const mail = (name: string, compose: Compose) => mailHandler(deps.mailer, name, compose)
  return {
    'user.registered': [
      mail('mail.welcome', async (trx, event) => {
        const to = await noticeRepository.user(trx, str(event.payload.user_id))
        return to && { to, content: { template: 'welcome', name: to.name } }
      }),
    ],
    'vendor.approved': [
      mail('mail.vendor-approved', async (trx, event) => {
        const vendor = await noticeRepository.vendor(trx, str(event.payload.vendor_id))
        return (
          vendor?.to && {
            to: vendor.to,
            content: { template: 'vendor_approved', businessName: vendor.businessName },
          }
        )
      }),
    ],
    'vendor.rejected': [
      mail('mail.vendor-rejected', async (trx, event) => {
        const vendor = await noticeRepository.vendor(trx, str(event.payload.vendor_id))
        const reason = str(event.payload.reason) || null
        return (
          vendor?.to && {
            to: vendor.to,
            content: { template: 'vendor_rejected', businessName: vendor.businessName, reason },
          }
        )
      }),
    ],
    'booking.confirmed': [
      mail(
        'mail.booking-confirmed',
        bookingMail('traveller', (booking) => ({ template: 'booking_confirmed', booking })),
      ),
      mail(
        'mail.vendor-booking-confirmed',
        bookingMail('vendor', (booking) => ({ template: 'vendor_booking_confirmed', booking })),
      ),
    ],
    'booking.cancelled': [
      mail(
        'mail.booking-cancelled',
        bookingMail('traveller', (booking, event) => {
          const refund = (event.payload.refund ?? {}) as { amount?: number; percent?: number }
          return {
            template: 'booking_cancelled',
            booking,
            refund: { amount: refund.amount ?? 0, currency: booking.total.currency },
            percent: refund.percent ?? 0,
            by: str(event.payload.cancelled_by) || 'system',
          }
        }),
      ),
      // A vendor hears of cancellations it did not make itself.
      mail(
        'mail.vendor-booking-cancelled',
        bookingMail('vendor', (booking, event) => {
          const by = str(event.payload.cancelled_by) || 'system'
          return by === 'vendor' ? undefined : { template: 'vendor_booking_cancelled', booking, by }
        }),
      ),
    ],
    'booking.expired': [
      mail(
        'mail.hold-expired',
        bookingMail('traveller', (booking) => ({ template: 'hold_expired', booking })),
      ),
    ],
    'vendor.payout': [
      mail('mail.payout-receipt', async (trx, event) => {
        const vendor = await noticeRepository.vendor(trx, str(event.payload.vendor_id))
        const p = event.payload as { amount?: number; currency?: string; period?: string; payout_id?: string }
        return (
          vendor?.to && {
            to: vendor.to,
            content: {
              template: 'payout_receipt',
              businessName: vendor.businessName,
              amount: { amount: Number(p.amount ?? 0), currency: str(p.currency) },
              period: str(p.period),
              payoutId: str(p.payout_id),
            },
          }
        )
      }),
    ],
    'payment.failed': [
      mail(
        'mail.payment-failed',
        bookingMail('traveller', (booking, event) => {
          const failure = event.payload.failure as { message?: string } | null | undefined
          return {
            template: 'payment_failed',
            booking,
            amount: (event.payload.amount as Money | undefined) ?? booking.total,
            reason: failure?.message ?? null,
          }
        }),
      ),
    ],
  }
}
