/**
 * Our own certificates for a domain's hostnames (issue 13): what would make senders fail to
 * fetch the policy (RFC 8461 §3.3 requires a valid certificate for `mta-sts.<domain>`) or
 * receivers drop the logo, seen before it happens.
 */
import type { CertState } from '../certs/types.js'
import type { Finding } from './findings.js'

const DAY_MS = 86_400_000
/**
 * Within this of expiry a certificate is worth a warning (issue 13: 14 days, for 90-day ACME
 * certificates renewed with 30 left) — or within a quarter of its lifetime when that is less:
 * the local CA's 7-day certificates are renewed with ~2.3 days left and must not warn always.
 */
export const EXPIRY_WARNING_MS = 14 * DAY_MS
/** Renewal overdue this long while failing is an error: the backoff has had a day of tries. */
export const OVERDUE_MS = DAY_MS

type Cert = Pick<
  CertState,
  'hostname' | 'status' | 'serial' | 'notBefore' | 'notAfter' | 'renewAt' | 'lastError'
>

/** Findings for the certificates of `hostnames` (null state: queued, nothing to say yet). */
export function certificateFindings(
  hostnames: readonly string[],
  states: ReadonlyMap<string, Cert>,
  now: Date,
): Finding[] {
  const out: Finding[] = []
  const at = now.getTime()
  for (const host of hostnames) {
    const c = states.get(host)
    if (c === undefined) continue
    const finding = (what: string, severity: Finding['severity'], message: string) =>
      out.push({ kind: 'certificate', key: `certificate:${host}:${what}`, severity, message })
    if (c.status === 'dns_pending') {
      finding(
        'dns-pending',
        'warning',
        `${host} does not point at this service: no certificate is ordered`,
      )
    }
    if (c.serial === null && c.status === 'failed') {
      finding(
        'not-issued',
        'error',
        `${host} has no certificate: issuance fails (${c.lastError ?? 'no detail'})`,
      )
      continue
    }
    if (c.notAfter === null) continue
    const left = c.notAfter.getTime() - at
    if (left <= 0)
      finding('expired', 'error', `${host}'s certificate expired at ${c.notAfter.toISOString()}`)
    else if (left <= warnWithin(c)) {
      finding('expiring', 'warning', `${host}'s certificate expires at ${c.notAfter.toISOString()}`)
    }
    if (c.status === 'failed' && c.renewAt !== null && at - c.renewAt.getTime() > OVERDUE_MS) {
      finding(
        'renewal-failing',
        'error',
        `${host}'s renewal has failed for over a day (${c.lastError ?? 'no detail'})`,
      )
    }
  }
  return out
}

function warnWithin(c: Cert): number {
  if (c.notBefore === null || c.notAfter === null) return EXPIRY_WARNING_MS
  return Math.min(EXPIRY_WARNING_MS, (c.notAfter.getTime() - c.notBefore.getTime()) / 4)
}
