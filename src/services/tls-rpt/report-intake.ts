import { DomainError } from '../../core/errors.js'
import { sourceKey } from '../../core/source-key.js'
import type { ReportEndpoint, StoredReport } from '../../core/ports.js'
import { dateWindowIssues } from '../../core/tls-rpt/date-window.js'
import type { ProcessedOk, ReportMediaType } from '../../core/tls-rpt/decoder.js'
import type { ReportTally } from '../../core/tls-rpt/tally.js'
import type { ServiceDeps } from '../deps.js'
import { requireReportRoom } from '../tenants/quotas.js'
import type { RateLimiter } from '../engines/rate-limit.js'

/** The intake rate limits count per minute (TLSRPT_RATE_PER_SOURCE, _PER_TENANT). */
const RATE_WINDOW_SECONDS = 60

export interface IntakeLimits {
  /** Largest report after inflating (a gzip bomb stops here). */
  maxDecompressed: number
  perSource: RateLimiter
  perTenant: RateLimiter
}

export interface IntakeResult {
  id: string | null
  /** True when the same submitter had already sent this report id (nothing stored). */
  duplicate: boolean
  domain: string
  warnings: string[]
}

const MEDIA: Record<string, ReportMediaType> = {
  'application/tlsrpt+json': 'application/tlsrpt+json',
  'application/tlsrpt+gzip': 'application/tlsrpt+gzip',
}

const EMPTY_TALLY: ReportTally = {
  successful: 0,
  failed: 0,
  policies: [],
  mxSuccess: [],
  byType: [],
  byMx: [],
  byIp: [],
}

/** UTC day of a date, the unit of the health view. */
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10)

export function refuse(
  deps: ServiceDeps,
  err: DomainError,
  fields: Record<string, unknown>,
): never {
  // Every refusal is logged with its reason (and never the report text itself).
  deps.log.warn('tlsrpt_refused', { ...fields, status: err.code, reason: err.message })
  throw err
}

/**
 * RFC 8460 §5.4 intake of one POSTed report for the endpoint's domain. The per-source limit
 * comes first, before even the token lookup; the tenant's limit counts only reports that
 * passed every check, so strangers sending junk cannot spend a tenant's budget (issue 9
 * finding 7). Then media type, size, I-JSON, schema, dates, the domains, the daily quotas.
 * Nothing is stored unless all of that holds; a repeat is a quiet success.
 */
export async function receiveReport(
  deps: ServiceDeps,
  limits: IntakeLimits,
  input: { token: string; contentType: string | undefined; body: Uint8Array; source: string },
): Promise<IntakeResult> {
  const now = deps.clock.now()
  const log = { source: input.source }
  // `https:<peer address>`: an IPv6 peer counts as its /64 (core/source-key.ts).
  const peer = sourceKey(input.source.replace(/^https:/, ''))
  if (!limits.perSource.take(peer, now.getTime())) {
    refuse(
      deps,
      new DomainError(
        'RATE_LIMITED',
        'too many reports from this address (TLSRPT_RATE_PER_SOURCE); retry later',
        [],
        { retryAfterSeconds: RATE_WINDOW_SECONDS },
      ),
      log,
    )
  }
  const endpoint = await deps.repos.reports.endpoint(input.token, now)
  if (!endpoint) refuse(deps, new DomainError('NOT_FOUND', 'no such report endpoint'), log)
  const fields = { ...log, domain: endpoint.domain }
  const media = MEDIA[(input.contentType ?? '').split(';')[0]!.trim().toLowerCase()]
  if (!media) {
    refuse(
      deps,
      new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'send application/tlsrpt+json or application/tlsrpt+gzip (RFC 8460 §5.4)',
      ),
      fields,
    )
  }
  const parsed = await decodeAndParse(
    deps,
    input.body,
    media,
    limits.maxDecompressed,
    fields,
    endpoint.tenantId,
  )
  return storeReport(
    deps,
    endpoint,
    parsed,
    {
      body: input.body,
      media,
      source: input.source,
      now,
      publicIntake: { perTenant: limits.perTenant },
    },
    fields,
  )
}

/** Bytes → a validated, bounded report (off the serving loop), or a refusal (logged). */
export async function decodeAndParse(
  deps: ServiceDeps,
  body: Uint8Array,
  media: ReportMediaType,
  maxDecompressed: number,
  fields: Record<string, unknown>,
  owner: string,
): Promise<ProcessedOk> {
  const { maxRawBytes: _raw, ...store } = deps.reportStore
  const processed = await deps.tlsrpt.process(body, media, { maxDecompressed, store }, owner)
  if (!processed.ok) {
    const code =
      processed.status === 413
        ? 'PAYLOAD_TOO_LARGE'
        : processed.status === 415
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : 'BAD_REQUEST'
    refuse(deps, new DomainError(code, processed.reason, processed.issues), fields)
  }
  return processed
}

/**
 * Checks the report's dates and domains against the endpoint, then (public intake) the
 * tenant's rate and the domain's daily quotas, and stores it unless it is a repeat.
 */
export async function storeReport(
  deps: ServiceDeps,
  endpoint: ReportEndpoint,
  parsed: ProcessedOk,
  input: {
    body: Uint8Array
    media: ReportMediaType
    source: string
    now: Date
    /**
     * The public report URL (not an operator's import): the tenant's rate, counted only now
     * that the report passed validation, and the domain's daily quotas apply.
     */
    publicIntake?: { perTenant: RateLimiter }
  },
  fields: Record<string, unknown>,
): Promise<IntakeResult> {
  const { now } = input
  const window = dateWindowIssues(parsed.report.dateRange, now)
  if (window.length > 0) {
    refuse(
      deps,
      new DomainError('BAD_REQUEST', 'not a valid TLS report (RFC 8460 §4)', window),
      fields,
    )
  }
  await requireOwnDomains(
    deps,
    endpoint,
    parsed.tallies.map((t) => t.domain),
    fields,
  )
  const intake = input.publicIntake
  if (intake && !intake.perTenant.take(endpoint.tenantId, now.getTime())) {
    refuse(
      deps,
      new DomainError(
        'RATE_LIMITED',
        'too many reports for this tenant (TLSRPT_RATE_PER_TENANT); retry later',
        [],
        { retryAfterSeconds: RATE_WINDOW_SECONDS },
      ),
      fields,
    )
  }
  const raw = input.media === 'application/tlsrpt+gzip' ? input.body : deps.tlsrpt.gzip(input.body)
  const maxRaw = deps.reportStore.maxRawBytes
  if (raw.byteLength > maxRaw) {
    const message = `the report is over TLSRPT_MAX_BYTES (${maxRaw} bytes) after gzip`
    refuse(deps, new DomainError('PAYLOAD_TOO_LARGE', message), fields)
  }
  const report = toStored(deps, endpoint, parsed, { raw, source: input.source, now })
  if (intake) {
    try {
      await requireReportRoom(deps, endpoint, report.storedBytes, now)
    } catch (err) {
      if (err instanceof DomainError) refuse(deps, err, fields)
      throw err
    }
  }
  const stored = await deps.repos.reports.insert(report)
  // A repeat stores nothing and is not counted again.
  if (stored)
    deps.metrics.countTlsRptReport({ domain: endpoint.domain, failures: failures(parsed) })
  deps.log.info('tlsrpt_received', {
    ...fields,
    id: stored ? report.id : null,
    duplicate: !stored,
    organization: report.organization,
    storedBytes: report.storedBytes,
  })
  return {
    id: stored ? report.id : null,
    duplicate: !stored,
    domain: endpoint.domain,
    warnings: parsed.warnings,
  }
}

async function requireOwnDomains(
  deps: ServiceDeps,
  endpoint: ReportEndpoint,
  names: string[],
  fields: Record<string, unknown>,
): Promise<void> {
  for (const name of names) {
    if (name === endpoint.domain) continue
    const other = name.endsWith(`.${endpoint.domain}`)
      ? await deps.repos.domains.byName(name)
      : null
    if (other?.tenantId !== endpoint.tenantId) {
      refuse(
        deps,
        new DomainError('VALIDATION', 'the report is for a domain this endpoint does not serve', [
          {
            path: 'policies.policy.policy-domain',
            message: `"${name.slice(0, 253)}" is not ${endpoint.domain}`,
          },
        ]),
        fields,
      )
    }
  }
}

/** Failed sessions by result type across every policy domain the report speaks for. */
function failures(parsed: ProcessedOk): { resultType: string; sessions: number }[] {
  const byType = new Map<string, number>()
  for (const { tally } of parsed.tallies) {
    for (const [type, sessions] of tally.byType)
      byType.set(type, (byType.get(type) ?? 0) + sessions)
  }
  return [...byType].map(([resultType, sessions]) => ({ resultType, sessions }))
}

const utf8 = new TextEncoder()
const jsonBytes = (value: unknown): number => utf8.encode(JSON.stringify(value)).byteLength

/** The stored form: summary columns, the bounded report, its tally, the raw bytes (gzip). */
export function toStored(
  deps: ServiceDeps,
  endpoint: ReportEndpoint,
  parsed: ProcessedOk,
  meta: { raw: Uint8Array; source: string; now: Date },
): StoredReport {
  const { report, warnings } = parsed
  let successful = 0
  let failed = 0
  for (const { tally } of parsed.tallies) {
    successful += tally.successful
    failed += tally.failed
  }
  // Only the endpoint's own domain is ever shown from this row (health is per domain).
  const tally = parsed.tallies.find((t) => t.domain === endpoint.domain)?.tally ?? EMPTY_TALLY
  const text = [report.organizationName, report.reportId, report.contactInfo, meta.source]
  return {
    id: deps.newId(),
    domainId: endpoint.domainId,
    organization: report.organizationName,
    reportId: report.reportId,
    contact: report.contactInfo || null,
    startAt: report.dateRange.start,
    endAt: report.dateRange.end,
    day: dayOf(report.dateRange.start),
    successful,
    failed,
    parsed: report,
    warnings,
    raw: meta.raw,
    source: meta.source,
    receivedAt: meta.now,
    tally,
    storedBytes:
      meta.raw.byteLength +
      jsonBytes(report) +
      jsonBytes(tally) +
      jsonBytes(warnings) +
      text.reduce((n, s) => n + utf8.encode(s).byteLength, 0),
  }
}
