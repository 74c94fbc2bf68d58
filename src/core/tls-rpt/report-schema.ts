import { z } from 'zod'
import { canonicalHost } from '../canonical-host.js'
import { normalizeHostname } from '../domain-name.js'
import { parseReportDateTime } from './date-time.js'
import { isIpLiteral } from './ip-literal.js'

// Report strings are attacker text stored per row, so every one has a cap (RFC 8460 §7).
/** Names, ids, hosts, addresses: 1 KiB is four times the longest DNS name. */
export const FIELD_MAX = 1024
/** failure-reason-code and additional-information carry TLS library messages and URIs. */
export const FREE_TEXT_MAX = 4096
/** One policy-string line: a TLSA 3 0 0 record carries a whole certificate in hex (~4 KiB). */
export const POLICY_LINE_MAX = 16384
/** policy-string lines and mx-host entries; RFC 8461 policies rarely list more than a dozen mx. */
export const POLICY_LINES_MAX = 1000
/** Policies per report: a large provider reports one per policy domain and type. */
export const POLICIES_MAX = 1000
/** failure-details entries in the whole report, so stored rows per report stay bounded. */
export const FAILURE_DETAILS_MAX = 10000

type Expected = { input?: unknown; code?: string }

// One message for "absent" and one for "wrong type"; range checks keep zod's own wording.
const typeError = (expected: string) => (issue: Expected) => {
  if (issue.code !== 'invalid_type') return undefined
  return issue.input === undefined ? 'is required' : `must be ${expected}`
}

const text = (max: number) =>
  z.string({ error: typeError('a string') }).max(max, `must be at most ${max} characters`)

const required = (max: number) => text(max).min(1, 'must not be empty')

// RFC 8460 §4.4: counts are integers; I-JSON (RFC 7493 §2.2) keeps them within ±(2^53-1).
const Count = z
  .number({ error: typeError('a non-negative integer') })
  .int('must be a whole number no larger than 2^53-1')
  .min(0, 'must be a non-negative integer')

// RFC 8460 §4.4: date-range members are RFC 3339 §5.6 date-times.
const DateTime = text(64).refine((value) => parseReportDateTime(value) !== null, {
  message: 'must be an RFC 3339 date-time such as 2024-01-09T00:00:00Z (RFC 8460 §4.4)',
  abort: true,
})

// RFC 8460 §4.4: sending-mta-ip and receiving-ip are IPv4 or IPv6 address literals.
const IpLiteral = text(64).refine(isIpLiteral, 'must be an IPv4 or IPv6 address (RFC 8460 §4.4)')

// RFC 8460 §4.4: policy-domain "MUST consist of the Punycode-encoded A-labels".
const PolicyDomain = required(FIELD_MAX).superRefine((value, ctx) => {
  const result = normalizeHostname(value)
  if (!result.ok) {
    for (const { message } of result.issues) ctx.addIssue({ code: 'custom', message })
  } else if (result.value !== canonicalHost(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be written in A-labels (RFC 8460 §4.4)' })
  }
})

const Host = required(FIELD_MAX)

const DateRange = z
  .object(
    { 'start-datetime': DateTime, 'end-datetime': DateTime },
    { error: typeError('an object') },
  )
  .superRefine((range, ctx) => {
    const start = parseReportDateTime(range['start-datetime'])
    const end = parseReportDateTime(range['end-datetime'])
    // Product rule (specs B.4): a period that ends before it starts cannot be attributed.
    if (start !== null && end !== null && end.date < start.date) {
      ctx.addIssue({ code: 'custom', path: ['end-datetime'], message: 'is before start-datetime' })
    }
  })

const Policy = z.object(
  {
    // RFC 8460 §4.4: "the only three valid choices"
    'policy-type': z.enum(['sts', 'tlsa', 'no-policy-found'], {
      error: (issue) =>
        issue.input === undefined ? 'is required' : 'must be sts, tlsa or no-policy-found',
    }),
    // RFC 8460 §4.5: one string per policy line or TLSA RR; absent for no-policy-found and
    // for fetch errors in practice (google-2024-09-03, mailru-2024-02-22), so optional.
    'policy-string': z
      .array(text(POLICY_LINE_MAX), { error: typeError('an array of strings') })
      .max(POLICY_LINES_MAX, `must have at most ${POLICY_LINES_MAX} entries`)
      .optional(),
    'policy-domain': PolicyDomain,
    // RFC 8460 §4.4 + erratum 6241: an array; Appendix B prints one string, and Microsoft
    // and Google's no-policy-found reports leave it out.
    'mx-host': z
      .union([Host, z.array(Host)], {
        error: (issue) =>
          issue.code === 'invalid_union' ? 'must be a string or an array of strings' : undefined,
      })
      .refine((hosts) => typeof hosts === 'string' || hosts.length <= POLICY_LINES_MAX, {
        message: `must have at most ${POLICY_LINES_MAX} entries`,
      })
      .optional(),
  },
  { error: typeError('an object') },
)

const Summary = z.object(
  {
    // RFC 8460 §4.2.1, §4.2.2
    'total-successful-session-count': Count,
    'total-failure-session-count': Count,
  },
  { error: typeError('an object') },
)

// RFC 8460 §4.4: only result-type and failed-session-count are always present in real reports
// (mailru-2024-02-22 has neither IP nor host for fetch errors).
const FailureDetail = z.object(
  {
    'result-type': required(FIELD_MAX),
    'sending-mta-ip': IpLiteral.optional(),
    'receiving-mx-hostname': Host.optional(),
    'receiving-mx-helo': text(FIELD_MAX).optional(),
    'receiving-ip': IpLiteral.optional(),
    'failed-session-count': Count,
    // Specs B.4: not checked as a URI; the RFC's own example wraps it mid-URI.
    'additional-information': text(FREE_TEXT_MAX).optional(),
    'failure-reason-code': text(FREE_TEXT_MAX).optional(),
  },
  { error: typeError('an object') },
)

type Entry = z.output<typeof PolicyEntry>

// Each count is a safe integer (I-JSON), but their sums are what we store and show: a report
// whose totals pass 2^53-1 could only be stored rounded, so it is refused (issue 9 finding 12).
const TOTAL_MESSAGE = 'add up past 2^53-1 (every total must stay a safe integer)'

function unsafeTotals(report: {
  policies: Entry[]
}): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = []
  const all = { ok: 0, failed: 0, details: 0 }
  report.policies.forEach((entry, index) => {
    const ok = entry.summary['total-successful-session-count']
    const failed = entry.summary['total-failure-session-count']
    const details = (entry['failure-details'] ?? []).reduce(
      (n, d) => n + d['failed-session-count'],
      0,
    )
    if (ok + failed > Number.MAX_SAFE_INTEGER) {
      issues.push({
        path: ['policies', index, 'summary'],
        message: `successful and failed sessions ${TOTAL_MESSAGE}`,
      })
    }
    if (details > Number.MAX_SAFE_INTEGER) {
      const message = `failed-session-counts ${TOTAL_MESSAGE}`
      issues.push({ path: ['policies', index, 'failure-details'], message })
    }
    all.ok += ok
    all.failed += failed
    all.details += details
  })
  if (issues.length === 0 && Math.max(all.ok + all.failed, all.details) > Number.MAX_SAFE_INTEGER) {
    issues.push({
      path: ['policies'],
      message: `the session counts of all policies ${TOTAL_MESSAGE}`,
    })
  }
  return issues
}

const PolicyEntry = z.object(
  {
    policy: Policy,
    summary: Summary,
    // RFC 8460 §4.4: senders leave it out when there were no failures (google-2022-09-15).
    'failure-details': z
      .array(FailureDetail, { error: typeError('an array') })
      .max(FAILURE_DETAILS_MAX, `must have at most ${FAILURE_DETAILS_MAX} entries`)
      .optional(),
  },
  { error: typeError('an object') },
)

/** The RFC 8460 §4.4 report JSON as received; unknown members are ignored (dropped). */
export const TlsReport = z
  .object(
    {
      'organization-name': required(FIELD_MAX),
      'date-range': DateRange,
      // RFC 8460 §4.4: an e-mail address; we never write to it, so only its size is checked.
      'contact-info': required(FIELD_MAX),
      // RFC 8460 §4.4, §5.3: the de-duplication key, so it must be present and non-empty.
      'report-id': required(FIELD_MAX),
      // RFC 8460 §4.4: "MUST be an array and not a singular value" even for one policy.
      policies: z
        .array(PolicyEntry, { error: typeError('an array, even for a single policy') })
        .min(1, 'must list at least one policy')
        .max(POLICIES_MAX, `must have at most ${POLICIES_MAX} entries`),
    },
    { error: typeError('a JSON object') },
  )
  .superRefine(
    (report, ctx) => {
      const details = report.policies.reduce((n, p) => n + (p['failure-details']?.length ?? 0), 0)
      if (details > FAILURE_DETAILS_MAX) {
        const message = `has ${details} failure-details in all; at most ${FAILURE_DETAILS_MAX}`
        ctx.addIssue({ code: 'custom', path: ['policies'], message })
      }
      for (const issue of unsafeTotals(report)) ctx.addIssue({ code: 'custom', ...issue })
    },
    // Only a well-formed report can be counted; a malformed one is refused for that anyway.
    { when: (payload) => payload.issues.length === 0 },
  )

export type TlsReport = z.output<typeof TlsReport>
