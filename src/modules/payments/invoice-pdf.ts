import { createRequire } from 'node:module'
import type PDFKit from 'pdfkit'
import { formatMoney, type Money } from '../../shared/money.js'
import { localIso } from '../../shared/time.js'

export interface InvoiceContent {
  number: number
  issuedAt: string
  copy: 'traveller' | 'vendor'
  booking: { id: string; seats: number; unitPrice: Money; total: Money }
  trip: { title: string; location: string; startsAt: string; timezone: string }
  vendor: { businessName: string }
  traveller: { name: string; email: string | null }
  paid: Money
  refunds: { amount: Money; at: string; reason: string | null }[]
  /** The vendor copy shows the platform's commission and the vendor's share of what is kept. */
  commission?: { commission: Money; vendorShare: Money; rate: string }
}

/** The invoice as a PDF (pdfkit, its standard fonts): one page a person can read and print. */
export function renderInvoice(c: InvoiceContent): Promise<Buffer> {
  // Loaded on the first invoice, not at start: most processes never draw one.
  const PDFDocument = createRequire(import.meta.url)('pdfkit') as typeof PDFKit
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `Travellr invoice ${c.number}` } })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((ok) => doc.on('end', () => ok(Buffer.concat(chunks))))
  const line = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value)
  }
  const refunded = c.refunds.reduce((s, r) => s + r.amount.amount, 0)

  doc.font('Helvetica-Bold').fontSize(20).text('Travellr')
  doc
    .fontSize(10)
    .font('Helvetica')
    .text('Travel marketplace: the platform collects payment on behalf of the vendor.')
  doc.moveDown()
  doc
    .fontSize(14)
    .font('Helvetica-Bold')
    .text(`Invoice ${String(c.number).padStart(6, '0')}${c.copy === 'vendor' ? ' (vendor copy)' : ''}`)
  doc.fontSize(10)
  line('Issued', `${c.issuedAt.slice(0, 10)} (UTC)`)
  line('Booking', c.booking.id)
  doc.moveDown()
  line('Vendor', c.vendor.businessName)
  line('Traveller', `${c.traveller.name}${c.traveller.email ? ` <${c.traveller.email}>` : ''}`)
  doc.moveDown()
  line('Trip', c.trip.title)
  line('Where', c.trip.location)
  line(
    'Departure',
    `${localIso(c.trip.startsAt, c.trip.timezone).replace('T', ' ').slice(0, 16)} ${c.trip.timezone}`,
  )
  doc.moveDown()
  line('Seats', `${c.booking.seats} x ${formatMoney(c.booking.unitPrice)}`)
  line('Total', formatMoney(c.booking.total))
  line('Paid', formatMoney(c.paid))
  for (const r of c.refunds)
    line('Refund', `${formatMoney(r.amount)} on ${r.at.slice(0, 10)}${r.reason ? ` (${r.reason})` : ''}`)
  if (c.refunds.length > 0)
    line('Refunded in all', formatMoney({ amount: refunded, currency: c.paid.currency }))
  line('Net paid', formatMoney({ amount: c.paid.amount - refunded, currency: c.paid.currency }))
  if (c.commission) {
    doc.moveDown()
    line(`Platform commission (${c.commission.rate})`, formatMoney(c.commission.commission))
    line('Vendor share', formatMoney(c.commission.vendorShare))
  }
  doc.end()
  return done
}
