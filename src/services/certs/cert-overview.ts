/**
 * The operator's view of every certificate (issue 14, service overview): how many are in each
 * state, how many have expired, and the hostnames whose last attempt failed with the error it
 * left — what to look at first when a CA or DNS is misbehaving.
 */
import type { Actor } from '../../core/actor.js'
import type { CertStatus } from '../../core/certs/types.js'
import type { ServiceDeps } from '../deps.js'
import { requireOperator } from '../scope.js'

/** Failing hostnames shown with their error: enough to see a pattern, small enough to read. */
export const FAILING_SHOWN = 50

const LOOKUP_SLICE = 500

export interface FailingCertificate {
  hostname: string
  lastError: string | null
  lastAttemptAt: Date | null
  /** Consecutive failed attempts (the backoff ladder's step). */
  failures: number
  /** When the scheduler tries again. */
  dueAt: Date
}

export interface CertificateOverview {
  counts: Record<CertStatus, number>
  /** Certificates past their notAfter, whatever their state: senders refuse them now. */
  expired: number
  /** Failing hostnames, most failures first, at most FAILING_SHOWN. */
  failing: FailingCertificate[]
  /** Every failing hostname, including those not in `failing`. */
  failingTotal: number
}

/** Operator only: certificates by state, and the failing ones with their last error. */
export async function certificateOverview(
  deps: ServiceDeps,
  actor: Actor,
): Promise<CertificateOverview> {
  requireOperator(actor)
  const rows = await deps.repos.certs.list()
  const now = deps.clock.now().getTime()
  const counts: Record<CertStatus, number> = { pending: 0, dns_pending: 0, ok: 0, failed: 0 }
  let expired = 0
  const failedNames: string[] = []
  for (const r of rows) {
    counts[r.status] += 1
    if (r.notAfter !== null && r.notAfter.getTime() <= now) expired += 1
    if (r.status === 'failed') failedNames.push(r.hostname)
  }
  const states = []
  // In slices: SQLite caps the parameters of one statement (32766), and a CA outage fails many.
  for (let i = 0; i < failedNames.length; i += LOOKUP_SLICE) {
    states.push(...(await deps.repos.certs.many(failedNames.slice(i, i + LOOKUP_SLICE))))
  }
  const failing = states
    .map((s) => ({
      hostname: s.hostname,
      lastError: s.lastError,
      lastAttemptAt: s.lastAttemptAt,
      failures: s.failures,
      dueAt: s.dueAt,
    }))
    .sort((a, b) => b.failures - a.failures || a.hostname.localeCompare(b.hostname))
    .slice(0, FAILING_SHOWN)
  return { counts, expired, failing, failingTotal: failedNames.length }
}
