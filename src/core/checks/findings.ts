/**
 * What the domain checker (issue 13) reports: findings — problems, each with a key that stays
 * the same from one run to the next while the problem lasts — and the changes between two runs
 * that alerts are sent for (a new problem, a resolved one, a problem that got worse or better;
 * never the same problem again on every run).
 */

/** The checks a run is made of; a run may do some and not others (probe off, lookup failed). */
export const CHECK_KINDS = [
  'policy-host',
  'sts-record',
  'tlsrpt-record',
  'bimi',
  'mx',
  'starttls',
  'certificate',
  'tls-rpt',
] as const
export type CheckKind = (typeof CHECK_KINDS)[number]

/** `error`: mail is (or will be) delayed or lost, or reports lost; `warning`: worth fixing. */
export type Severity = 'error' | 'warning'

export interface Finding {
  kind: CheckKind
  /**
   * Stable while the problem lasts: `<kind>:<what>[:<subject>]`, e.g.
   * `mx:uncovered:mx3.example.com`. Alerts compare keys, so a message may change wording
   * without alerting again.
   */
  key: string
  severity: Severity
  /** One line for people; attacker-controlled parts are already made safe by the checker. */
  message: string
}

export type FindingChange =
  | { change: 'opened'; finding: Finding }
  | { change: 'resolved'; finding: Finding }
  /** Same problem, other severity (e.g. an uncovered MX once the policy went to enforce). */
  | { change: 'severity'; finding: Finding; was: Severity }

/**
 * The changes from `before` (the stored findings) to a run that did the checks in `ran` and
 * found `found`. Findings of kinds the run did not do are carried over untouched: a check that
 * could not run (a lookup failed, the probe is off) must not look like a problem resolved.
 * Returns the findings to store and the changes, in key order (stable for tests and alerts).
 */
export function compareFindings(
  before: readonly Finding[],
  ran: ReadonlySet<CheckKind>,
  found: readonly Finding[],
): { current: Finding[]; changes: FindingChange[] } {
  const next = new Map<string, Finding>()
  for (const f of before) if (!ran.has(f.kind)) next.set(f.key, f)
  for (const f of found) {
    // A run reports a problem once; should it twice, the worse severity stands.
    const same = next.get(f.key)
    if (ran.has(f.kind) && (same === undefined || worse(f.severity, same.severity))) {
      next.set(f.key, f)
    }
  }
  const old = new Map(before.map((f) => [f.key, f]))
  const changes: FindingChange[] = []
  for (const f of next.values()) {
    const was = old.get(f.key)
    if (was === undefined) changes.push({ change: 'opened', finding: f })
    else if (was.severity !== f.severity) {
      changes.push({ change: 'severity', finding: f, was: was.severity })
    }
  }
  for (const f of before) if (!next.has(f.key)) changes.push({ change: 'resolved', finding: f })
  const byKey = (a: { key: string }, b: { key: string }) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0
  changes.sort((a, b) => byKey(a.finding, b.finding))
  return { current: [...next.values()].sort(byKey), changes }
}

function worse(a: Severity, b: Severity): boolean {
  return a === 'error' && b === 'warning'
}
