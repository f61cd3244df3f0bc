import { escape as escapeHtml } from 'html-escaper'
import { formatMoney, type Money } from '../../shared/money.js'

/** Languages mails are written in; anything else gets English. */
export const MAIL_LANGUAGES = ['en', 'fr'] as const
export type MailLanguage = (typeof MAIL_LANGUAGES)[number]

export function mailLanguage(wanted: string | null | undefined): MailLanguage {
  return (MAIL_LANGUAGES as readonly string[]).includes(wanted ?? '') ? (wanted as MailLanguage) : 'en'
}

/** What a booking mail says about its booking. */
export interface BookingFacts {
  bookingId: string
  tripTitle: string
  location: string
  startsAt: string
  timezone: string
  seats: number
  total: Money
  travellerName: string
  businessName: string
}

/** What the monthly report mail says (modules/admin compiles it). */
export interface ReportFacts {
  month: string
  newUsers: number
  bookingsMade: number
  bookingsConfirmed: number
  bookingsCancelled: number
  holdsExpired: number
  money: { currency: string; captured: number; refunded: number; commission: number; vendorShare: number }[]
  /** What each reseller owes for the month (its statement), if any sold. */
  resellers?: { name: string; currency: string; due: number }[]
}

export type MailContent =
  | { template: 'welcome'; name: string }
  | { template: 'vendor_approved'; businessName: string }
  | { template: 'vendor_rejected'; businessName: string; reason: string | null }
  | { template: 'booking_confirmed'; booking: BookingFacts }
  | { template: 'vendor_booking_confirmed'; booking: BookingFacts }
  | { template: 'booking_cancelled'; booking: BookingFacts; refund: Money; percent: number; by: string }
  | { template: 'vendor_booking_cancelled'; booking: BookingFacts; by: string }
  | { template: 'hold_expired'; booking: BookingFacts }
  | { template: 'payment_failed'; booking: BookingFacts; amount: Money; reason: string | null }
  | { template: 'monthly_report'; name: string; report: ReportFacts }
  | { template: 'payout_receipt'; businessName: string; amount: Money; period: string; payoutId: string }

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

/** A paragraph: plain text, or a label and a value (rendered as a row). */
type Line = string | [label: string, value: string]

/** The trip's start in its own time zone, named, in the reader's language. */
const when = (b: BookingFacts, lang: MailLanguage) =>
  `${new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone: b.timezone }).format(
    new Date(b.startsAt),
  )} (${b.timezone})`

const WORDS = {
  en: {
    hello: (n: string) => `Hello ${n},`,
    trip: 'Trip',
    where: 'Where',
    when: 'Starts',
    seats: 'Seats',
    total: 'Total',
    booking: 'Booking',
    traveller: 'Traveller',
    bye: 'The Travellr team',
    by: { traveler: 'you', vendor: 'the organiser', admin: 'Travellr', system: 'Travellr' } as Record<
      string,
      string
    >,
  },
  fr: {
    hello: (n: string) => `Bonjour ${n},`,
    trip: 'Voyage',
    where: 'Lieu',
    when: 'Départ',
    seats: 'Places',
    total: 'Total',
    booking: 'Réservation',
    traveller: 'Voyageur',
    bye: 'L’équipe Travellr',
    by: { traveler: 'vous', vendor: 'l’organisateur', admin: 'Travellr', system: 'Travellr' } as Record<
      string,
      string
    >,
  },
}

function bookingLines(b: BookingFacts, lang: MailLanguage): Line[] {
  const w = WORDS[lang]
  return [
    [w.trip, b.tripTitle],
    [w.where, b.location],
    [w.when, when(b, lang)],
    [w.seats, String(b.seats)],
    [w.total, formatMoney(b.total, lang)],
    [w.booking, b.bookingId],
  ]
}

function compose(
  content: MailContent,
  lang: MailLanguage,
): { subject: string; greet: string; lines: Line[] } {
  const w = WORDS[lang]
  const fr = lang === 'fr'
  switch (content.template) {
    case 'welcome':
      return {
        subject: fr ? 'Bienvenue sur Travellr' : 'Welcome to Travellr',
        greet: content.name,
        lines: [
          fr
            ? 'Votre compte est prêt : réservez des places sur les voyages de nos organisateurs.'
            : 'Your account is ready: book seats on the trips our organisers publish.',
        ],
      }
    case 'vendor_approved':
      return {
        subject: fr ? 'Votre compte organisateur est approuvé' : 'Your vendor account is approved',
        greet: content.businessName,
        lines: [
          fr
            ? 'Vous pouvez publier vos voyages dès maintenant. Nous vous versons 80 % de chaque réservation.'
            : 'You can publish trips now. We pay you 80% of every booking on our payout schedule.',
        ],
      }
    case 'vendor_rejected':
      return {
        subject: fr ? 'Votre demande d’organisateur' : 'Your vendor application',
        greet: content.businessName,
        lines: [
          fr
            ? 'Nous ne pouvons pas approuver votre compte organisateur pour le moment.'
            : 'We cannot approve your vendor account at this time.',
          ...(content.reason ? [[fr ? 'Motif' : 'Reason', content.reason] as Line] : []),
        ],
      }
    case 'booking_confirmed':
      return {
        subject: `${fr ? 'Réservation confirmée' : 'Booking confirmed'}: ${content.booking.tripTitle}`,
        greet: content.booking.travellerName,
        lines: [
          fr
            ? 'Votre paiement est reçu et vos places sont réservées.'
            : 'Your payment is in and your seats are yours.',
          ...bookingLines(content.booking, lang),
        ],
      }
    case 'vendor_booking_confirmed':
      return {
        subject: `${fr ? 'Nouvelle réservation' : 'New booking'}: ${content.booking.tripTitle}`,
        greet: content.booking.businessName,
        lines: [
          fr ? 'Une réservation payée vient d’arriver.' : 'A paid booking has come in.',
          [w.traveller, content.booking.travellerName],
          ...bookingLines(content.booking, lang),
        ],
      }
    case 'booking_cancelled':
      return {
        subject: `${fr ? 'Réservation annulée' : 'Booking cancelled'}: ${content.booking.tripTitle}`,
        greet: content.booking.travellerName,
        lines: [
          fr
            ? `Votre réservation a été annulée par ${w.by[content.by] ?? 'Travellr'}.`
            : `Your booking was cancelled by ${w.by[content.by] ?? 'Travellr'}.`,
          ...bookingLines(content.booking, lang),
          [
            fr ? 'Remboursement' : 'Refund',
            `${formatMoney(content.refund, lang)} (${content.percent}${fr ? ' %' : '%'})`,
          ],
          content.refund.amount > 0
            ? fr
              ? 'Le remboursement part sur votre moyen de paiement.'
              : 'The refund goes back to the way you paid.'
            : fr
              ? 'Selon les conditions d’annulation du voyage, aucun remboursement n’est dû.'
              : 'Under the trip’s cancellation policy, no refund is due.',
        ],
      }
    case 'vendor_booking_cancelled':
      return {
        subject: `${fr ? 'Réservation annulée' : 'Booking cancelled'}: ${content.booking.tripTitle}`,
        greet: content.booking.businessName,
        lines: [
          fr ? 'Une réservation de votre voyage a été annulée.' : 'A booking on your trip was cancelled.',
          [w.traveller, content.booking.travellerName],
          ...bookingLines(content.booking, lang),
        ],
      }
    case 'hold_expired':
      return {
        subject: `${fr ? 'Réservation expirée' : 'Booking expired'}: ${content.booking.tripTitle}`,
        greet: content.booking.travellerName,
        lines: [
          fr
            ? 'Le paiement n’est pas arrivé à temps : les places sont libérées. Vous pouvez réserver à nouveau.'
            : 'The payment did not arrive in time, so the seats were released. You are welcome to book again.',
          ...bookingLines(content.booking, lang),
        ],
      }
    case 'monthly_report': {
      const r = content.report
      const money = (currency: string, amount: number) => formatMoney({ amount, currency }, lang)
      return {
        subject: `${fr ? 'Rapport mensuel' : 'Monthly report'} ${r.month}`,
        greet: content.name,
        lines: [
          fr
            ? `Voici l’activité de Travellr en ${r.month} (UTC).`
            : `Here is how Travellr did in ${r.month} (UTC).`,
          [fr ? 'Nouveaux comptes' : 'New accounts', String(r.newUsers)],
          [fr ? 'Réservations faites' : 'Bookings made', String(r.bookingsMade)],
          [fr ? 'Réservations confirmées' : 'Bookings confirmed', String(r.bookingsConfirmed)],
          [fr ? 'Réservations annulées' : 'Bookings cancelled', String(r.bookingsCancelled)],
          [fr ? 'Réservations expirées' : 'Holds expired', String(r.holdsExpired)],
          ...(r.money.length === 0 ? [fr ? 'Aucun paiement ce mois-ci.' : 'No money moved this month.'] : []),
          ...r.money.flatMap((m): Line[] => [
            [`${fr ? 'Encaissé' : 'Captured'} (${m.currency})`, money(m.currency, m.captured)],
            [`${fr ? 'Remboursé' : 'Refunded'} (${m.currency})`, money(m.currency, m.refunded)],
            [`${fr ? 'Commission' : 'Commission'} (${m.currency})`, money(m.currency, m.commission)],
            [
              `${fr ? 'Part des organisateurs' : 'Vendors’ share'} (${m.currency})`,
              money(m.currency, m.vendorShare),
            ],
          ]),
          ...(r.resellers ?? []).map(
            (d): Line => [
              `${fr ? 'Dû par le revendeur' : 'Owed by reseller'} ${d.name}`,
              money(d.currency, d.due),
            ],
          ),
        ],
      }
    }
    case 'payout_receipt':
      return {
        subject: `${fr ? 'Virement envoyé' : 'Payout sent'}: ${formatMoney(content.amount, lang)}`,
        greet: content.businessName,
        lines: [
          fr
            ? 'Nous avons envoyé votre part des réservations de la période vers votre compte de versement.'
            : 'We have sent your share of the period’s bookings to your payout account.',
          [fr ? 'Montant' : 'Amount', formatMoney(content.amount, lang)],
          [fr ? 'Période' : 'Period', content.period],
          [fr ? 'Versement' : 'Payout', content.payoutId],
        ],
      }
    case 'payment_failed':
      return {
        subject: `${fr ? 'Paiement refusé' : 'Payment failed'}: ${content.booking.tripTitle}`,
        greet: content.booking.travellerName,
        lines: [
          fr
            ? `Le paiement de ${formatMoney(content.amount, lang)} n’a pas abouti. Vos places restent réservées jusqu’à la fin du délai : essayez un autre moyen de paiement.`
            : `The payment of ${formatMoney(content.amount, lang)} did not go through. Your seats stay held until the hold ends: try another way to pay.`,
          ...(content.reason ? [[fr ? 'Motif' : 'Reason', content.reason] as Line] : []),
          ...bookingLines(content.booking, lang),
        ],
      }
  }
}

/** Text and HTML of a mail; every value from a person or a trip is escaped in the HTML. */
export function renderMail(content: MailContent, lang: MailLanguage): RenderedMail {
  const { subject, greet, lines } = compose(content, lang)
  const w = WORDS[lang]
  const text = [
    w.hello(greet),
    '',
    ...lines.map((l) => (typeof l === 'string' ? `${l}\n` : `${l[0]}: ${l[1]}`)),
    '',
    w.bye,
    '',
  ].join('\n')
  // Paragraphs in order; consecutive label/value lines form one table.
  const body: string[] = []
  let rows: string[] = []
  const flush = () => {
    if (rows.length > 0) body.push(`<table>${rows.join('')}</table>`)
    rows = []
  }
  for (const l of lines) {
    if (typeof l === 'string') {
      flush()
      body.push(`<p>${escapeHtml(l)}</p>`)
    } else rows.push(`<tr><th align="left">${escapeHtml(l[0])}</th><td>${escapeHtml(l[1])}</td></tr>`)
  }
  flush()
  const html = [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    `<p>${escapeHtml(w.hello(greet))}</p>`,
    ...body,
    `<p>${escapeHtml(w.bye)}</p>`,
    '</body></html>',
  ].join('\n')
  return { subject, text, html }
}
