/**
 * The store side of the domain checker (issue 13).
 *
 * Contract (the SQLite adapter keeps it; a PostgreSQL one must too):
 * - **`record` is one transaction**: it reads the stored findings, compares them with the run
 *   (core/checks/findings.ts `compareFindings`), writes the new current set, appends one event
 *   per change and stamps the kinds that ran. Two runs of the same domain at once therefore
 *   cannot both report the same change: the second compares with what the first wrote. It
 *   returns the changes it stored; callers act on those only (alerts), never on their own
 *   comparison.
 * - **Kinds that did not run keep their findings** and their last run time; a kind listed in
 *   `skipped` is stamped with its reason so status can say why it is stale.
 * - **Events outlive the domain** (history, alerts in flight); findings and runs go with it.
 */
import type { CheckKind, Finding, FindingChange } from './findings.js'

export interface CheckRun {
  domainId: string
  tenantId: string
  /** The domain's name, kept on events so history reads well after the domain is gone. */
  domain: string
  at: Date
  ran: CheckKind[]
  found: Finding[]
  /** Kinds that could not run, with why (a lookup failed, the probe is off). */
  skipped: { kind: CheckKind; reason: string }[]
}

export interface FindingEvent {
  id: number
  domainId: string
  domain: string
  change: FindingChange['change']
  key: string
  kind: CheckKind
  severity: Finding['severity']
  message: string
  at: Date
}

export interface CheckState {
  findings: (Finding & { openedAt: Date })[]
  runs: { kind: CheckKind; ranAt: Date; skipped: string | null }[]
}

export interface CheckRepo {
  /** Stores a run (see the contract above); returns the changes it made. */
  record(run: CheckRun): Promise<FindingChange[]>
  /** The domain's open findings and when each kind last ran. */
  state(domainId: string): Promise<CheckState>
  /** The domain's changes, newest first: at most `limit`, before event id `before` if given. */
  history(domainId: string, limit: number, before?: number): Promise<FindingEvent[]>
  /**
   * Up to `limit` live (verified) domains not checked since `before`, never-checked first, then
   * the longest unchecked: the scheduler's next batch.
   */
  due(before: Date, limit: number): Promise<string[]>
  /** How many live domains there are, to size batches so each comes round once per interval. */
  liveCount(): Promise<number>
}

/** RFC 8460 §4.3 result types a STARTTLS probe reports, as a sending MTA would. */
export type ProbeResultType =
  | 'starttls-not-supported'
  | 'certificate-host-mismatch'
  | 'certificate-expired'
  | 'certificate-not-trusted'
  | 'validation-failure'

/** One MX host's STARTTLS as a check sees it. */
export type ProbeOutcome =
  | { ok: true; tlsVersion: string }
  | { ok: false; resultType: ProbeResultType; stage: string; detail: string }

/**
 * Probes MX hosts (adapters/smtp): EHLO, STARTTLS, a TLS handshake with SNI = the MX name, and
 * the certificate judged at `now`. Never rejects because of anything the server does; bounded
 * in time; callers may start many at once (the adapter caps how many run).
 */
export interface MxProber {
  probe(mxHost: string, address: string, now: Date): Promise<ProbeOutcome>
}

/** The policy as a sender fetched it from `mta-sts.<domain>`, or why it could not. */
export type PolicyFetchOutcome =
  { ok: true; text: string } | { ok: false; reason: string; detail: string }

/**
 * Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` the way a sending MTA does (RFC
 * 8461 §3.3), connecting to `address` (resolved by the caller through the injected resolver).
 * Never rejects; bounded in time and size.
 */
export interface PolicyFetcher {
  fetch(domain: string, address: string, now: Date): Promise<PolicyFetchOutcome>
}
