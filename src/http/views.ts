/**
 * Response shapes of the admin API: the zod schemas feed the OpenAPI document, the functions
 * turn service results into them (dates as ISO strings, no internal ids where not needed).
 */
import type { CheckState } from '../core/checks/check-ports.js'
import { z } from '@hono/zod-openapi'
import { verificationRecordName, verificationValue } from '../core/domain-claim.js'
import type { Domain, StoredTlsRpt, Tenant } from '../core/ports.js'
import type { BimiView } from '../services/bimi/bimi-logo.js'
import type { DomainStatus } from '../services/domains/domain-status.js'
import type { PolicyView } from '../services/mta-sts/mta-sts.js'
import { policyHostOf } from '../services/domains/domains.js'

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null)

export const TenantOut = z.object({ id: z.string(), name: z.string(), createdAt: z.string() })
export const TenantCreatedOut = TenantOut.extend({ token: z.string(), tokenId: z.string() })
export const tenantView = (t: Tenant) => ({
  id: t.id,
  name: t.name,
  createdAt: t.createdAt.toISOString(),
})

export const TokenCreatedOut = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  label: z.string(),
  token: z.string(),
})

export const VerificationOut = z
  .object({
    status: z.enum(['pending', 'verified']),
    record: z
      .object({ name: z.string(), type: z.literal('TXT'), value: z.string() })
      .nullable()
      .describe('Publish it, then POST …/verification (checked on a schedule too)'),
    verifiedAt: z.string().nullable(),
    expiresAt: z.string().nullable().describe('A pending claim is deleted at this time'),
    lastCheckAt: z.string().nullable(),
    lastCheckError: z
      .string()
      .nullable()
      .describe('Why the last check failed, or that control moved to another tenant'),
  })
  .describe('Proof of domain control: nothing is served or issued while pending')
export const DomainOut = z.object({
  name: z.string(),
  tenantId: z.string(),
  status: z.enum(['pending', 'active', 'retiring']),
  policyHost: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  removeAt: z.string().nullable(),
  verification: VerificationOut,
  dns: z
    .object({
      mode: z.enum(['self', 'delegated']),
      label: z.string().nullable().describe("The domain's label in the service's DNS zone"),
    })
    .describe('Who publishes the TXT records: the owner, or our zone through CNAMEs'),
})
export const domainView = (d: Domain) => ({
  name: d.name,
  tenantId: d.tenantId,
  status: d.status,
  policyHost: policyHostOf(d.name),
  createdAt: d.createdAt.toISOString(),
  retiredAt: iso(d.retiredAt),
  removeAt: iso(d.removeAt),
  verification: {
    status: d.status === 'pending' ? ('pending' as const) : ('verified' as const),
    record: d.verificationToken
      ? {
          name: verificationRecordName(d.name),
          type: 'TXT' as const,
          value: verificationValue(d.verificationToken),
        }
      : null,
    verifiedAt: iso(d.verifiedAt),
    expiresAt: d.status === 'pending' ? iso(d.claimExpiresAt) : null,
    lastCheckAt: iso(d.lastCheckAt),
    lastCheckError: d.status === 'pending' ? d.lastCheckError : null,
  },
  dns: { mode: d.dnsMode, label: d.dnsLabel },
})

export const PolicyOut = z.object({
  domain: z.string(),
  mode: z.enum(['enforce', 'testing', 'none']),
  mx: z.array(z.string()),
  maxAge: z.number().int(),
  id: z.string().describe('RFC 8461 §3.1 policy id, as published in the _mta-sts TXT record'),
  text: z.string().describe('The exact policy body served at /.well-known/mta-sts.txt'),
  updatedAt: z.string(),
})
export const policyView = (p: PolicyView) => ({
  domain: p.domain,
  mode: p.mode,
  mx: p.mx,
  maxAge: p.maxAge,
  id: p.policyId,
  text: p.text,
  updatedAt: p.updatedAt.toISOString(),
})

export const RetireOut = z.object({
  name: z.string(),
  status: z.enum(['removed', 'retiring']),
  removedAt: z.string().optional(),
  retiredAt: z.string().optional(),
  removeAt: z.string().optional(),
  policy: PolicyOut.optional(),
  message: z.string(),
})

export const TlsRptOut = z.object({
  domain: z.string(),
  rua: z.array(z.string()),
  /** The hosted https: rua published besides `rua` (POST …/tls-rpt/rotate replaces it). */
  reportUrl: z.string().nullable(),
  updatedAt: z.string(),
})
export const tlsRptView = (t: StoredTlsRpt & { domain: string; reportUrl: string | null }) => ({
  domain: t.domain,
  rua: t.rua,
  reportUrl: t.reportUrl,
  updatedAt: t.updatedAt.toISOString(),
})

export const RecordOut = z.object({
  name: z.string(),
  type: z.enum(['CNAME', 'TXT']),
  value: z.string(),
  purpose: z.string(),
})

export const ProblemOut = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})

/** A BIMI assertion as the API (and the CLI's --json) shows it. */
export const bimiView = (b: BimiView) => ({
  domain: b.domain,
  selector: b.selector,
  logoSha256: b.logoSha256,
  logoUrl: b.urls.logo,
  certificateUrl: b.urls.certificate,
  certificateNotAfter: b.vmcNotAfter?.toISOString() ?? null,
  updatedAt: b.updatedAt.toISOString(),
})

/** A domain's status as the API (and the CLI's --json) shows it. */
/** The live checks' open findings and last runs (issue 13), as /checks and /status show them. */
export function checksView(c: CheckState) {
  return {
    findings: c.findings.map((f) => ({ ...f, openedAt: f.openedAt.toISOString() })),
    runs: c.runs.map((r) => ({ ...r, ranAt: r.ranAt.toISOString() })),
  }
}

export function statusView(s: DomainStatus, now: Date) {
  return {
    domain: domainView(s.domain),
    policy: s.policy
      ? { id: s.policy.policyId, mode: s.policy.mode, maxAge: s.policy.maxAge }
      : null,
    bimi: s.bimi,
    enforceAdvice: s.enforceAdvice,
    warnings: s.warnings,
    dns: s.dns,
    checks: checksView(s.checks),
    hostnames: s.hostnames.map(({ name, role, cert: c }) => ({
      name,
      role,
      dns: { status: c?.dnsStatus ?? ('unchecked' as const), detail: c?.dnsDetail ?? null },
      certificate: {
        status: c?.status ?? ('pending' as const),
        issuer: c?.issuer ?? null,
        serial: c?.serial ?? null,
        notBefore: iso(c?.notBefore ?? null),
        notAfter: iso(c?.notAfter ?? null),
        renewAt: iso(c?.renewAt ?? null),
        expired: c?.notAfter ? c.notAfter.getTime() <= now.getTime() : false,
      },
      lastError: c?.lastError ?? null,
      lastAttemptAt: iso(c?.lastAttemptAt ?? null),
      failures: c?.failures ?? 0,
      nextAttemptAt: iso(c?.dueAt ?? null),
    })),
  }
}
