/**
 * "Send a test alert" (issue 13): one test message to each of the tenant's webhooks and
 * confirmed contacts, now, with each outcome — proof that the receiver, its signature check, the
 * relay and the mailbox work before a real problem needs them. Not queued or retried: the
 * caller sees the outcome at once and can fix and try again.
 */
import type { Actor } from '../../core/actor.js'
import { testAlertBody, testMail } from '../../core/alerts/alert-mail.js'
import type { DeliveryResult } from '../../core/alerts/alert-ports.js'
import { DomainError } from '../../core/errors.js'
import type { ServiceDeps } from '../deps.js'
import { alertTenant, takeRequestedAlert } from './alert-tenant.js'

export interface TestAlertOutcome {
  channel: 'webhook' | 'mail'
  /** The webhook's or the contact's id. */
  id: string
  /** The webhook URL or the address. */
  target: string
  ok: boolean
  /** HTTP status or SMTP reply code, where one came. */
  status: number | null
  /** Why it failed (never a webhook's response body). */
  reason: string | null
}

const outcome = (
  channel: TestAlertOutcome['channel'],
  id: string,
  target: string,
  r: DeliveryResult,
): TestAlertOutcome => ({
  channel,
  id,
  target,
  ok: r.ok,
  status: r.status ?? null,
  reason: r.ok ? null : r.reason,
})

export async function sendTestAlert(
  deps: ServiceDeps,
  actor: Actor,
  tenant?: string,
): Promise<TestAlertOutcome[]> {
  const tenantId = await alertTenant(deps, actor, tenant)
  const [hooks, contacts] = await Promise.all([
    deps.repos.alerts.webhookTargets(tenantId),
    deps.repos.alerts.contacts(tenantId),
  ])
  const confirmed = deps.mail === null ? [] : contacts.filter((c) => c.confirmedAt !== null)
  if (hooks.length === 0 && confirmed.length === 0) {
    throw new DomainError(
      'CONFLICT',
      'nothing to send to: add a webhook or a confirmed alert contact first',
    )
  }
  takeRequestedAlert(deps, tenantId)
  const at = deps.clock.now()
  return Promise.all([
    ...hooks.map(async (h) => {
      const deliveryId = deps.newId()
      const r = await deps.webhooks.sender.send({
        url: h.url,
        secret: h.secret,
        body: testAlertBody(deliveryId, at),
        deliveryId,
        at,
      })
      return outcome('webhook', h.id, h.url, r)
    }),
    ...confirmed.map(async (c) => {
      const r = await deps.mail!.sender.send({
        to: c.email,
        deliveryId: deps.newId(),
        ...testMail(at, deps.serviceHost),
      })
      return outcome('mail', c.id, c.email, r)
    }),
  ])
}
