export {
  MAIL_LANGUAGES,
  type MailContent,
  mailLanguage,
  type ReportFacts,
  renderMail,
} from './mail-templates.js'
export { mailMessageId, notificationHandlers } from './notification-jobs.js'
