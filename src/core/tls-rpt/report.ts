import { canonicalHost } from '../canonical-host.js'
import type { FieldIssue } from '../errors.js'
import { fieldIssues } from '../issues.js'
import { parseReportDateTime } from './date-time.js'
import { isKnownResultType } from './result-types.js'
import { TlsReport } from './report-schema.js'

export { TlsReport } from './report-schema.js'

export type PolicyType = 'sts' | 'tlsa' | 'no-policy-found'

/** One failure-details entry (RFC 8460 §4.4), members absent in the report left undefined. */
export interface NormalizedFailureDetail {
  resultType: string
  sendingMtaIp?: string
  receivingMxHostname?: string
  receivingMxHelo?: string
  receivingIp?: string
  failedSessionCount: number
  additionalInformation?: string
  failureReasonCode?: string
}

/** One policies[] entry (RFC 8460 §4.4) with absent arrays as [] and mx-host always an array. */
export interface NormalizedPolicy {
  policyType: PolicyType
  policyString: string[]
  /** Lower-case A-labels without a trailing dot. */
  policyDomain: string
  mxHost: string[]
  summary: { totalSuccessfulSessionCount: number; totalFailureSessionCount: number }
  failureDetails: NormalizedFailureDetail[]
}

/** A validated report; strings are still attacker text (RFC 8460 §7), never to be interpreted. */
export interface NormalizedReport {
  organizationName: string
  dateRange: { start: Date; end: Date }
  contactInfo: string
  reportId: string
  policies: NormalizedPolicy[]
}

export type ParsedReport =
  { ok: true; report: NormalizedReport; warnings: string[] } | { ok: false; issues: FieldIssue[] }

// A report can carry thousands of distinct made-up result types; a few warnings say enough.
const UNKNOWN_TYPE_WARNINGS_MAX = 10
// Shown values are cut so a warning never repeats a kilobyte of attacker text.
const SHOWN_VALUE_MAX = 64

type Wire = TlsReport
type WirePolicy = Wire['policies'][number]
type WireDetail = NonNullable<WirePolicy['failure-details']>[number]

function dateOf(value: string, name: string, warnings: string[]): Date {
  // Validated by the schema, so the parse cannot fail here.
  const parsed = parseReportDateTime(value) ?? { date: new Date(Number.NaN), zoneless: false }
  // Leniency: Microsoft sends "2023-01-10T00:00:00" (microsoft-2023-01-10); RFC 3339 §4.4
  // says a time without offset is of unknown zone, and a report day is a UTC day (RFC 8460 §4.1).
  if (parsed.zoneless)
    warnings.push(`${name} has no time zone (accepted as UTC; seen from Microsoft)`)
  return parsed.date
}

function normalizeDetail(detail: WireDetail): NormalizedFailureDetail {
  return {
    resultType: detail['result-type'],
    sendingMtaIp: detail['sending-mta-ip'],
    receivingMxHostname: detail['receiving-mx-hostname'],
    receivingMxHelo: detail['receiving-mx-helo'],
    receivingIp: detail['receiving-ip'],
    failedSessionCount: detail['failed-session-count'],
    additionalInformation: detail['additional-information'],
    failureReasonCode: detail['failure-reason-code'],
  }
}

function normalizePolicy(entry: WirePolicy, index: number, warnings: string[]): NormalizedPolicy {
  const { policy, summary } = entry
  const mxHost = policy['mx-host']
  if (typeof mxHost === 'string') {
    // Leniency: RFC 8460 Appendix B prints a string; erratum 6241 makes it an array.
    warnings.push(
      `policies[${index}].mx-host is a string (RFC 8460 Appendix B before erratum 6241)`,
    )
  }
  return {
    policyType: policy['policy-type'],
    policyString: policy['policy-string'] ?? [],
    policyDomain: canonicalHost(policy['policy-domain']),
    mxHost: mxHost === undefined ? [] : typeof mxHost === 'string' ? [mxHost] : mxHost,
    summary: {
      totalSuccessfulSessionCount: summary['total-successful-session-count'],
      totalFailureSessionCount: summary['total-failure-session-count'],
    },
    failureDetails: (entry['failure-details'] ?? []).map(normalizeDetail),
  }
}

function unknownResultTypes(policies: NormalizedPolicy[]): string[] {
  const firstSeen = new Map<string, string>()
  policies.forEach((policy, p) =>
    policy.failureDetails.forEach((detail, d) => {
      const type = detail.resultType
      if (!isKnownResultType(type) && !firstSeen.has(type)) {
        firstSeen.set(type, `policies[${p}].failure-details[${d}]`)
      }
    }),
  )
  // Leniency: RFC 8460 §6.6 registry grows by Expert Review, so unknown types are kept.
  const warnings = [...firstSeen]
    .slice(0, UNKNOWN_TYPE_WARNINGS_MAX)
    .map(
      ([type, path]) =>
        `${path}.result-type ${JSON.stringify(type.slice(0, SHOWN_VALUE_MAX))} is not a registered result type (kept)`,
    )
  const more = firstSeen.size - UNKNOWN_TYPE_WARNINGS_MAX
  if (more > 0) warnings.push(`${more} more unregistered result types (kept)`)
  return warnings
}

/** Validates report JSON (RFC 8460 §4.4) and returns it normalised, or every issue found. */
export function parseReport(json: unknown): ParsedReport {
  const parsed = TlsReport.safeParse(json)
  if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error.issues) }
  const wire = parsed.data
  const warnings: string[] = []
  const range = wire['date-range']
  const dateRange = {
    start: dateOf(range['start-datetime'], 'start-datetime', warnings),
    end: dateOf(range['end-datetime'], 'end-datetime', warnings),
  }
  const policies = wire.policies.map((entry, index) => normalizePolicy(entry, index, warnings))
  warnings.push(...unknownResultTypes(policies))
  const report: NormalizedReport = {
    organizationName: wire['organization-name'],
    dateRange,
    contactInfo: wire['contact-info'],
    reportId: wire['report-id'],
    policies,
  }
  return { ok: true, report, warnings }
}

/** The distinct policy domains a report speaks for, lower-cased and without a trailing dot. */
export function policyDomainsOf(report: NormalizedReport): string[] {
  // RFC 8460 §4.4: policy-domain is the domain the report is about; the intake checks ownership.
  const domains = report.policies.map((policy) => canonicalHost(policy.policyDomain))
  return [...new Set(domains)]
}
