/**
 * Alert mail through the operator's relay (SMTP_URL), with nodemailer — a maintained mail
 * library that speaks SMTP submission, STARTTLS/implicit TLS and AUTH from one URL, so none of
 * that is hand-written here. One connection per message: alerts are rare, and a pool would keep
 * sockets (and the process) alive between them.
 */
import nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import type { DeliveryResult, MailSender } from '../../core/alerts/alert-ports.js'
import { escapeForTerminal } from '../../core/safe-text.js'

export interface MailSenderOptions {
  /** `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://…` (TLS at once). */
  url: string
  /** The From: address (ALERT_MAIL_FROM). */
  from: string
  /** The right side of Message-IDs: the service host. */
  messageIdDomain: string
  /** Connect, greeting and idle socket timeouts each. */
  timeoutMs: number
}

/** RFC 5321 §4.2.1: 5yz is a permanent failure; 4yz and no reply at all are worth retrying. */
function failure(err: unknown, ms: number): DeliveryResult {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string }
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined
  const said = escapeForTerminal(String(e.response ?? e.message ?? 'failed')).slice(0, 160)
  return {
    ok: false,
    reason: code === undefined ? `${e.code ?? 'error'}: ${said}` : `SMTP ${code}: ${said}`,
    ...(code === undefined ? {} : { status: code }),
    retryable: code === undefined || code < 500,
    ms,
  }
}

export function mailSender(opts: MailSenderOptions): MailSender {
  const options: SMTPTransport.Options = {
    url: opts.url,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  }
  const transport = nodemailer.createTransport(options)
  return {
    async send(mail) {
      const started = Date.now()
      try {
        const info = await transport.sendMail({
          from: opts.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: `<${mail.deliveryId}@${opts.messageIdDomain}>`,
          headers: {
            // RFC 3834 §5: automatic mail, so vacation responders stay silent.
            'Auto-Submitted': 'auto-generated',
            'X-Policyhost-Delivery': mail.deliveryId,
          },
        })
        const ms = Date.now() - started
        if (info.rejected.length > 0) return failure({ response: info.response }, ms)
        const code = Number.parseInt(String(info.response).slice(0, 3), 10)
        return { ok: true, status: Number.isFinite(code) ? code : 250, ms }
      } catch (err) {
        return failure(err, Date.now() - started)
      }
    },
  }
}
