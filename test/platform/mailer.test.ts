import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileMailer } from '../../src/platform/mailer/file-mailer.js'
import type { Mail, Mailer } from '../../src/platform/mailer/mailer.js'
import { createSmtpMailer } from '../../src/platform/mailer/smtp-mailer.js'
import { receivedMail, startSmtp, type TestSmtp } from '../support/smtp.js'

const FROM = 'Travellr <no-reply@travellr.test>'

/** Each adapter, and how to read back what it delivered (as parsed by mailparser). */
interface Adapter {
  mailer: Mailer
  delivered(): Promise<
    {
      to: string
      subject: string
      text: string
      html: string
      messageId: string
      language?: string
      from: string
    }[]
  >
  close(): Promise<void>
}

const adapters: [string, () => Promise<Adapter>][] = [
  [
    'file',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'travellr-mail-'))
      return {
        mailer: createFileMailer(dir, FROM),
        async delivered() {
          const files = readdirSync(dir).filter((f) => f.endsWith('.eml'))
          return Promise.all(
            files.map(async (f) => {
              const m = receivedMail(await simpleParser(readFileSync(join(dir, f))))
              return { ...m, from: m.raw.from?.text ?? '' }
            }),
          )
        },
        close: async () => rmSync(dir, { recursive: true, force: true }),
      }
    },
  ],
  [
    'smtp',
    async () => {
      const smtp: TestSmtp = await startSmtp()
      return {
        mailer: createSmtpMailer(smtp.url, FROM),
        delivered: async () => smtp.mails.map((m) => ({ ...m, from: m.raw.from?.text ?? '' })),
        close: () => smtp.close(),
      }
    },
  ],
]

describe.each(adapters)('mailer contract: %s', (_name, make) => {
  let a: Adapter
  beforeAll(async () => {
    a = await make()
  })
  afterAll(async () => {
    a.mailer.close()
    await a.close()
  })

  const mail: Mail = {
    to: 'ana@example.com',
    subject: 'Réservation confirmée: Lisbon <by night>',
    text: 'Bonjour Ana,\n\nVos places sont réservées.\n',
    html: '<p>Bonjour Ana,</p><p>Lisbon &lt;by night&gt;</p>',
    messageId: 'evt_1.mail.booking-confirmed@travellr',
    language: 'fr',
  }

  it('when a mail is sent, then it arrives with its recipient, sender, subject, text, HTML, id and language', async () => {
    await a.mailer.send(mail)
    const got = await a.delivered()
    expect(got).toHaveLength(1)
    expect(got[0]).toMatchObject({
      to: 'ana@example.com',
      subject: mail.subject,
      messageId: mail.messageId,
      language: 'fr',
    })
    expect(got[0]!.from).toContain('no-reply@travellr.test')
    expect(got[0]!.text.trim()).toBe(mail.text.trim())
    expect(got[0]!.html).toContain('Lisbon &lt;by night&gt;')
  })
})

describe('file mailer', () => {
  it('when the same mail (same Message-ID) is written twice, then one file holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'travellr-mail-'))
    const mailer = createFileMailer(dir, FROM)
    const mail: Mail = {
      to: 'a@example.com',
      subject: 's',
      text: 't',
      html: '<p>t</p>',
      messageId: 'evt_2.x@travellr',
    }
    await mailer.send(mail)
    await mailer.send(mail)
    expect(readdirSync(dir)).toEqual(['evt_2.x_travellr.eml'])
    mailer.close()
    rmSync(dir, { recursive: true, force: true })
  })
})
