/**
 * Alerts (issue 13): what a webhook receives for one change of a domain's findings, and when a
 * failed delivery is tried again. Pure: the dispatcher (services/engines/alert-dispatcher.ts)
 * sends and stores.
 */
import type { PendingDelivery } from './alert-ports.js'

/**
 * Waits after the 1st, 2nd, … failed attempt: a receiver down for a deploy gets the alert
 * minutes later, one down for a day still gets it; after the last the delivery is failed.
 */
export const RETRY_LADDER_MS = [60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000]

/** When to try again after `attempts` failed attempts, or null: give up. */
export function nextAttempt(attempts: number, now: Date): Date | null {
  const wait = RETRY_LADDER_MS[attempts - 1]
  return wait === undefined ? null : new Date(now.getTime() + wait)
}

/** The JSON a webhook receives (`type` names the change; the rest is the finding). */
export function alertBody(d: Pick<PendingDelivery, 'id' | 'event'>): string {
  const e = d.event
  return JSON.stringify({
    type: `finding.${e.change}`,
    deliveryId: d.id,
    domain: e.domain,
    check: e.kind,
    key: e.key,
    severity: e.severity,
    message: e.message,
    at: e.at.toISOString(),
  })
}
