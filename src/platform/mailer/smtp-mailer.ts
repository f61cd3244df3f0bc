import { createTransport } from 'nodemailer'
import { type Mail, type Mailer, nodemailerMessage } from './mailer.js'

/** Sends through the SMTP relay at `url` (smtp://user:pass@host:port, or smtps://). */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = createTransport(url)
  return {
    kind: 'smtp',
    async send(mail: Mail) {
      await transport.sendMail(nodemailerMessage(mail, from))
    },
    close() {
      transport.close()
    },
  }
}
