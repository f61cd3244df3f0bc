import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { expect } from 'vitest'

export interface ReceivedMail {
  to: string
  subject: string
  text: string
  html: string
  messageId: string
  language: string | undefined
  raw: ParsedMail
}

export interface TestSmtp {
  url: string
  mails: ReceivedMail[]
  /** Mails to one address. */
  to(address: string): ReceivedMail[]
  /** Waits until `count` mails to `address` arrived (or fails after `timeout` ms), and returns them. */
  waitFor(address: string, count?: number, timeout?: number): Promise<ReceivedMail[]>
  close(): Promise<void>
}

/** A parsed mail as the tests read it (from SMTP or from an .eml file). */
export function receivedMail(m: ParsedMail): ReceivedMail {
  const to = Array.isArray(m.to) ? m.to[0] : m.to
  return {
    to: to?.value[0]?.address ?? '',
    subject: m.subject ?? '',
    text: m.text ?? '',
    html: typeof m.html === 'string' ? m.html : '',
    messageId: (m.messageId ?? '').replace(/^<|>$/g, ''),
    language: m.headers.get('content-language') as string | undefined,
    raw: m,
  }
}

/** A real SMTP server (smtp-server) on a free loopback port that keeps and parses what arrives. */
export async function startSmtp(port = 0): Promise<TestSmtp> {
  const mails: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push(receivedMail(m))
          callback()
        })
        .catch((err) => callback(err))
    },
  })
  // A client killed mid-session resets its connection: that is the drills' business, not an error here.
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const bound = (server.server.address() as AddressInfo).port
  const to = (address: string) => mails.filter((m) => m.to === address)
  return {
    url: `smtp://127.0.0.1:${bound}`,
    mails,
    to,
    async waitFor(address, count = 1, timeout = 15_000) {
      await expect.poll(() => to(address).length, { timeout, interval: 50 }).toBeGreaterThanOrEqual(count)
      return to(address)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
