/**
 * Alerts by mail (issue 13): the plain-text messages a contact receives — an alert for one
 * change of a domain's findings, the confirmation code for a new address, a test. Pure: the
 * dispatcher and the contact service send them through the MailSender port.
 *
 * Finding messages quote what domains publish (MX names, record text); a mail reader shows text
 * as it is, so every outside value goes through escapeForTerminal — one line, no controls, no
 * bidi tricks — and the subject is cut short (RFC 5322 §2.1.1 asks for lines under 78 octets;
 * the mail library folds the encoded header).
 */
import { escapeForTerminal } from '../safe-text.js'
import type { PendingDelivery } from './alert-ports.js'

export interface MailContent {
  subject: string
  text: string
}

const SUBJECT_MAX = 120

const oneLine = (s: string, max = 2000): string => {
  const safe = escapeForTerminal(s)
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe
}

const CHANGE_WORDS = { opened: 'new problem', resolved: 'resolved', severity: 'changed' } as const

/** The mail for one finding change; `serviceUrl` is where the tenant reads the details. */
export function alertMail(
  d: Pick<PendingDelivery, 'id' | 'event'>,
  serviceUrl: string,
): MailContent {
  const e = d.event
  const state = e.change === 'resolved' ? 'resolved' : e.severity
  return {
    subject: oneLine(`[policyhost] ${e.domain}: ${state} — ${e.message}`, SUBJECT_MAX),
    text: [
      `${CHANGE_WORDS[e.change]} for ${oneLine(e.domain)} (${e.kind} check):`,
      '',
      `  ${oneLine(e.message)}`,
      '',
      `severity: ${e.severity}`,
      `finding:  ${oneLine(e.key)}`,
      `at:       ${e.at.toISOString()}`,
      `delivery: ${d.id}`,
      '',
      `Current state: ${serviceUrl}/api/v1/domains/${encodeURIComponent(e.domain)}/status`,
      "You receive this because this address is an alert contact of the domain's tenant.",
      '',
    ].join('\n'),
  }
}

/** The code that proves the mailbox takes alerts; its owner hands it to the tenant. */
export function confirmationMail(code: string, serviceHost: string): MailContent {
  return {
    subject: oneLine(`[policyhost] confirm alert mail from ${serviceHost}`, SUBJECT_MAX),
    text: [
      `A tenant of ${oneLine(serviceHost)} asked to send alerts about its domains'`,
      'MTA-STS, TLS-RPT and BIMI checks to this address.',
      '',
      `Confirmation code: ${code}`,
      '',
      'Nothing is sent here until the tenant confirms the address with this code.',
      'If you did not expect this, ignore it: the address stays unconfirmed.',
      '',
    ].join('\n'),
  }
}

/** A test alert: proves the relay, the address and the recipient's filters. */
export function testMail(at: Date, serviceHost: string): MailContent {
  return {
    subject: oneLine(`[policyhost] test alert from ${serviceHost}`, SUBJECT_MAX),
    text: [
      `This is a test alert sent at ${at.toISOString()} on the tenant's request.`,
      'Real alerts come when a domain check opens or resolves a problem.',
      '',
    ].join('\n'),
  }
}

/** The JSON a webhook receives for a test alert: same envelope as a finding, `type: "test"`. */
export function testAlertBody(deliveryId: string, at: Date): string {
  return JSON.stringify({
    type: 'test',
    deliveryId,
    message: "test alert sent on the tenant's request",
    at: at.toISOString(),
  })
}
