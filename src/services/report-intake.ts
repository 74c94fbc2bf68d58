import { DomainError } from '../core/errors.js'
import type { ReportMediaType } from '../core/tls-rpt/decoder.js'
import { policyDomainsOf, type NormalizedReport } from '../core/tls-rpt/report.js'
import type { ReportEndpoint, StoredReport } from '../core/ports.js'
import type { ServiceDeps } from './deps.js'
import type { RateLimiter } from './rate-limit.js'

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
 * RFC 8460 §5.4 intake of one POSTed report for the endpoint's domain: media type, size, I-JSON,
 * schema, and every policy-domain must be the endpoint's domain (or a subdomain of it that the
 * same tenant hosts). Nothing is stored unless all of that holds; a repeat is a quiet success.
 */
export async function receiveReport(
  deps: ServiceDeps,
  limits: IntakeLimits,
  input: { token: string; contentType: string | undefined; body: Uint8Array; source: string },
): Promise<IntakeResult> {
  const now = deps.clock.now()
  const log = { source: input.source }
  const endpoint = await deps.repos.reports.endpoint(input.token, now)
  if (!endpoint) refuse(deps, new DomainError('NOT_FOUND', 'no such report endpoint'), log)
  const fields = { ...log, domain: endpoint.domain }
  if (
    !limits.perSource.take(input.source, now.getTime()) ||
    !limits.perTenant.take(endpoint.tenantId, now.getTime())
  ) {
    refuse(deps, new DomainError('RATE_LIMITED', 'too many reports; retry later'), fields)
  }
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
  const parsed = await decodeAndParse(deps, input.body, media, limits.maxDecompressed, fields)
  return storeReport(
    deps,
    endpoint,
    parsed,
    { body: input.body, media, source: input.source, now },
    fields,
  )
}

/** Bytes → a validated report (off the serving loop), or a refusal (logged) with its status. */
export async function decodeAndParse(
  deps: ServiceDeps,
  body: Uint8Array,
  media: ReportMediaType,
  maxDecompressed: number,
  fields: Record<string, unknown>,
): Promise<{ report: NormalizedReport; warnings: string[] }> {
  const processed = await deps.tlsrpt.process(body, media, { maxDecompressed })
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

/** Checks the report's domains against the endpoint and stores it unless it is a repeat. */
export async function storeReport(
  deps: ServiceDeps,
  endpoint: ReportEndpoint,
  parsed: { report: NormalizedReport; warnings: string[] },
  input: { body: Uint8Array; media: ReportMediaType; source: string; now: Date },
  fields: Record<string, unknown>,
): Promise<IntakeResult> {
  await requireOwnDomains(deps, endpoint, parsed.report, fields)
  const report = toStored(deps, endpoint, parsed.report, parsed.warnings, {
    raw: input.media === 'application/tlsrpt+gzip' ? input.body : deps.tlsrpt.gzip(input.body),
    source: input.source,
    now: input.now,
  })
  const stored = await deps.repos.reports.insert(report)
  deps.log.info('tlsrpt_received', {
    ...fields,
    id: stored ? report.id : null,
    duplicate: !stored,
    organization: report.organization,
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
  report: NormalizedReport,
  fields: Record<string, unknown>,
): Promise<void> {
  for (const name of policyDomainsOf(report)) {
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

/** The stored form: summary columns, the normalized report, the raw bytes (gzip). */
export function toStored(
  deps: ServiceDeps,
  endpoint: ReportEndpoint,
  report: NormalizedReport,
  warnings: string[],
  meta: { raw: Uint8Array; source: string; now: Date },
): StoredReport {
  let successful = 0
  let failed = 0
  for (const p of report.policies) {
    successful += p.summary.totalSuccessfulSessionCount
    failed += p.summary.totalFailureSessionCount
  }
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
  }
}
