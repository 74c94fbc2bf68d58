/**
 * The enforce advice (RFC 8461 §5, core/tls-rpt/readiness.ts) with the live checks added (issue
 * 13): TLS reports only show what senders already tried; an MX the policy does not cover, an MX
 * whose STARTTLS fails or a policy senders cannot fetch would refuse mail the day `enforce`
 * starts, so while one is open the advice is "not yet", whatever the reports say.
 */
import type { Readiness } from '../tls-rpt/readiness.js'
import type { CheckKind, Finding } from './findings.js'

/** The checks whose open problems would make `enforce` refuse or lose mail. */
const BLOCKING: ReadonlySet<CheckKind> = new Set(['mx', 'starttls', 'policy-host', 'sts-record'])

export function adviceWithFindings(advice: Readiness, findings: readonly Finding[]): Readiness {
  const blockers = findings.filter((f) => BLOCKING.has(f.kind))
  if (blockers.length === 0) return advice
  const reasons = blockers.map((f) => `live check: ${f.message}`)
  // Not ready: the unmet reasons are what to fix. Ready by the reports: those are evidence, and
  // only the live checks' problems stand in the way.
  return { ready: false, reasons: advice.ready ? reasons : [...advice.reasons, ...reasons] }
}
