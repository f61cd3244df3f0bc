import { describe, expect, it } from 'vitest'
import {
  MAIL_LANGUAGES,
  type MailContent,
  mailLanguage,
  renderMail,
} from '../../../src/modules/notifications/index.js'

const booking = {
  bookingId: 'bkg_1',
  tripTitle: 'Douro <script>alert(1)</script> & wine',
  location: 'Porto',
  startsAt: '2031-06-01T08:30:00.000Z',
  timezone: 'Europe/Lisbon',
  seats: 2,
  total: { amount: 25_000, currency: 'EUR' },
  travellerName: 'Ana "A" O\'Neil',
  businessName: 'Vera Tours',
}
const EUR = (amount: number) => ({ amount, currency: 'EUR' })

const every: MailContent[] = [
  { template: 'welcome', name: booking.travellerName },
  { template: 'vendor_approved', businessName: 'Vera <Tours>' },
  { template: 'vendor_rejected', businessName: 'Vera', reason: 'Licence <missing>' },
  { template: 'booking_confirmed', booking },
  { template: 'vendor_booking_confirmed', booking },
  { template: 'booking_cancelled', booking, refund: EUR(12_500), percent: 50, by: 'traveler' },
  { template: 'vendor_booking_cancelled', booking, by: 'traveler' },
  { template: 'hold_expired', booking },
  { template: 'payment_failed', booking, amount: EUR(25_000), reason: 'Your card was declined.' },
  {
    template: 'payout_receipt',
    businessName: 'Vera <Tours>',
    amount: EUR(24_002),
    period: 'weekly:2031-05-05',
    payoutId: 'pyo_1',
  },
  {
    template: 'monthly_report',
    name: 'Admin <root>',
    report: {
      month: '2031-05',
      newUsers: 3,
      bookingsMade: 4,
      bookingsConfirmed: 2,
      bookingsCancelled: 1,
      holdsExpired: 1,
      money: [{ currency: 'EUR', captured: 40_004, refunded: 10_001, commission: 6001, vendorShare: 24_002 }],
    },
  },
]

describe('mail templates', () => {
  it.each(MAIL_LANGUAGES)(
    'when every mail is rendered in %s, then it has a subject, text and HTML with nothing unescaped',
    (lang) => {
      for (const content of every) {
        const mail = renderMail(content, lang)
        expect(mail.subject.length, content.template).toBeGreaterThan(0)
        expect(mail.text.length).toBeGreaterThan(20)
        expect(mail.html).toContain(`<html lang="${lang}">`)
        expect(mail.html).not.toMatch(/<script|<Tours>|<missing>|<root>/)
      }
    },
  )

  it('when a booking mail is rendered, then it shows the trip start in the trip time zone and money to the cent', () => {
    const en = renderMail({ template: 'booking_confirmed', booking }, 'en')
    expect(en.text).toMatch(/Starts: Sunday, June 1, 2031 at 9:30\sAM \(Europe\/Lisbon\)/)
    expect(en.text).toMatch(/Total: EUR\s250\.00/)
    expect(en.html).toContain('Douro &lt;script&gt;alert(1)&lt;/script&gt; &amp; wine')
    const fr = renderMail(
      { template: 'booking_cancelled', booking, refund: EUR(12_500), percent: 50, by: 'vendor' },
      'fr',
    )
    expect(fr.text).toContain('annulée par l’organisateur')
    expect(fr.text).toMatch(/Remboursement: 125,00\sEUR \(50\s%\)/)
  })

  it('when a language is unknown or missing, then mails are in English', () => {
    expect(mailLanguage('fr')).toBe('fr')
    expect(mailLanguage('de')).toBe('en')
    expect(mailLanguage(null)).toBe('en')
  })
})
