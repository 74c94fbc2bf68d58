/**
 * The operator's list of alert deliveries that failed for good (issue 14, service overview):
 * which tenant's webhook or mailbox stopped taking alerts, and the last answer it gave.
 * The alert store answers per tenant and target only, so this walks tenants and their targets
 * up to a bound; `partial` says when the bound cut the walk short.
 */
import type { Actor } from '../../core/actor.js'
import type { ServiceDeps } from '../deps.js'
import { requireOperator } from '../scope.js'

/** Targets (webhooks + contacts) looked at per call: one query each, on a page load. */
export const FAILED_SCAN_TARGETS = 200
/** Recent deliveries read per target: failures older than these are history, not news. */
const PER_TARGET = 5

export interface FailedDelivery {
  tenantId: string
  tenantName: string
  channel: 'webhook' | 'mail'
  /** The webhook URL or the address. */
  target: string
  /** HTTP status or SMTP reply code of the last attempt, where one came. */
  lastStatus: number | null
  /** Our short reason (never the receiver's body). */
  lastReason: string | null
  attempts: number
  at: Date
}

export interface FailedDeliveries {
  items: FailedDelivery[]
  /** True when some tenants' targets were not looked at (FAILED_SCAN_TARGETS reached). */
  partial: boolean
}

/** Operator only: the newest failed alert deliveries across tenants, at most `limit`. */
export async function failedDeliveries(
  deps: ServiceDeps,
  actor: Actor,
  opts: { limit: number },
): Promise<FailedDeliveries> {
  requireOperator(actor)
  const alerts = deps.repos.alerts
  const found: FailedDelivery[] = []
  let budget = FAILED_SCAN_TARGETS
  let partial = false
  for (const tenant of await deps.repos.tenants.list()) {
    const [hooks, contacts] = await Promise.all([
      alerts.webhooks(tenant.id),
      alerts.contacts(tenant.id),
    ])
    const targets = [
      ...hooks.map((h) => ({
        channel: 'webhook' as const,
        target: h.url,
        key: { webhookId: h.id },
      })),
      ...contacts.map((c) => ({
        channel: 'mail' as const,
        target: c.email,
        key: { contactId: c.id },
      })),
    ]
    for (const t of targets) {
      if (budget === 0) {
        partial = true
        break
      }
      budget -= 1
      for (const d of await alerts.deliveries(tenant.id, t.key, PER_TARGET)) {
        if (d.status !== 'failed') continue
        found.push({
          tenantId: tenant.id,
          tenantName: tenant.name,
          channel: t.channel,
          target: t.target,
          lastStatus: d.lastStatus,
          lastReason: d.lastReason,
          attempts: d.attempts,
          at: d.updatedAt,
        })
      }
    }
    if (partial) break
  }
  found.sort((a, b) => b.at.getTime() - a.at.getTime())
  return { items: found.slice(0, opts.limit), partial }
}
