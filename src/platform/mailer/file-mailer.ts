import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import { type Mail, type Mailer, nodemailerMessage } from './mailer.js'

/** A message id as a file name: the same mail sent twice is one file. */
export function emlName(messageId: string): string {
  return `${messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`
}

/** Writes each mail as an RFC 5322 `.eml` file (built by nodemailer) into `dir`, atomically. */
export function createFileMailer(dir: string, from: string): Mailer {
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    kind: 'file',
    async send(mail: Mail) {
      const info = await transport.sendMail(nodemailerMessage(mail, from))
      await mkdir(dir, { recursive: true })
      const file = join(dir, emlName(mail.messageId))
      const partial = `${file}.${process.pid}.tmp`
      await writeFile(partial, info.message as Buffer, { mode: 0o600 })
      await rename(partial, file)
    },
    close() {
      transport.close()
    },
  }
}
