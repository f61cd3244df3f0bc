/** One mail, already rendered. `messageId` is derived from the event that caused it (see notifications). */
export interface Mail {
  to: string
  subject: string
  text: string
  html: string
  /** Without angle brackets, e.g. `evt_123.booking-confirmed@travellr`: a repeat of a mail keeps its id. */
  messageId: string
  language?: string
}

/**
 * Where mail goes: `.eml` files under MAIL_DIR (the embedded default) or an SMTP relay (SMTP_URL), both
 * through nodemailer. One contract suite (test/platform/mailer.test.ts) for both.
 */
export interface Mailer {
  readonly kind: 'file' | 'smtp'
  send(mail: Mail): Promise<void>
  close(): void
}

/** The nodemailer message of a mail, the same for every transport. */
export function nodemailerMessage(mail: Mail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${mail.messageId}>`,
    ...(mail.language && { headers: { 'Content-Language': mail.language } }),
  }
}
