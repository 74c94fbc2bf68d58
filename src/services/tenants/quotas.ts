import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import type { Domain, ReportEndpoint } from '../../core/ports.js'
import { effectiveQuotas, QuotaOverrides, quotaRefusal, type Quotas } from '../../core/quotas.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { requireOperator } from '../scope.js'

/**
 * Quota checks before anything a tenant (or a stranger posting reports) can grow is stored.
 * The operator is not limited: operator API calls, the CLI and `policies/` files are operator
 * input. A check and the insert after it are not one transaction, so concurrent requests can
 * pass a limit by the number in flight; the limit bounds growth, it is not an exact count.
 */

/** The tenant's effective quotas: config defaults with the operator's overrides. */
export async function quotasOf(deps: ServiceDeps, tenantId: string): Promise<Quotas> {
  return effectiveQuotas(deps.quotas, await deps.repos.quotas.overrides(tenantId))
}

/** VALIDATION naming QUOTA_DOMAINS_PER_TENANT when the tenant holds its quota of domains. */
export async function requireDomainRoom(
  deps: ServiceDeps,
  actor: Actor,
  tenantId: string,
): Promise<void> {
  if (actor.kind !== 'tenant') return
  const limit = (await quotasOf(deps, tenantId)).domainsPerTenant
  const used = await deps.repos.quotas.domainCount(tenantId)
  const refusal = quotaRefusal(
    { key: 'domainsPerTenant', limit, used, adding: 1, unit: 'domains', holder: 'the tenant' },
    'VALIDATION',
  )
  if (refusal) throw refusal
}

/**
 * Before a logo is set: a new selector needs room in selectorsPerDomain, a logo the domain does
 * not keep yet needs room in logosPerDomain and logoBytesPerDomain.
 */
export async function requireLogoRoom(
  deps: ServiceDeps,
  actor: Actor,
  domain: Domain,
  logo: { selector: string; sha256: string; size: number },
): Promise<void> {
  if (actor.kind !== 'tenant') return
  const q = await quotasOf(deps, domain.tenantId)
  const [usage, hasSelector, keeps] = await Promise.all([
    deps.repos.quotas.logoUsage(domain.id),
    deps.repos.quotas.hasSelector(domain.id, logo.selector),
    deps.repos.quotas.keepsLogo(domain.id, logo.sha256),
  ])
  const holder = domain.name
  const refusal =
    (hasSelector
      ? null
      : quotaRefusal(
          {
            key: 'selectorsPerDomain',
            limit: q.selectorsPerDomain,
            used: usage.selectors,
            adding: 1,
            unit: 'selectors',
            holder,
          },
          'VALIDATION',
        )) ??
    (keeps
      ? null
      : (quotaRefusal(
          {
            key: 'logosPerDomain',
            limit: q.logosPerDomain,
            used: usage.logos,
            adding: 1,
            unit: 'logos',
            holder,
          },
          'VALIDATION',
        ) ??
        quotaRefusal(
          {
            key: 'logoBytesPerDomain',
            limit: q.logoBytesPerDomain,
            used: usage.logoBytes,
            adding: logo.size,
            unit: 'bytes',
            holder,
          },
          'VALIDATION',
        )))
  if (refusal) throw refusal
}

const DAY_MS = 86_400_000

/**
 * Before a report is stored: the domain's reports and stored bytes since 00:00 UTC today.
 * RATE_LIMITED (429) for the count, PAYLOAD_TOO_LARGE (413) for the bytes, each naming its limit.
 */
export async function requireReportRoom(
  deps: ServiceDeps,
  endpoint: ReportEndpoint,
  bytes: number,
  now: Date,
): Promise<void> {
  const q = await quotasOf(deps, endpoint.tenantId)
  const since = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS)
  const used = await deps.repos.quotas.reportUsage(endpoint.domainId, since)
  const holder = `${endpoint.domain} today (UTC)`
  const refusal =
    quotaRefusal(
      {
        key: 'tlsrptReportsPerDomainDay',
        limit: q.tlsrptReportsPerDomainDay,
        used: used.reports,
        adding: 1,
        unit: 'reports',
        holder,
      },
      'RATE_LIMITED',
      Math.ceil((since.getTime() + DAY_MS - now.getTime()) / 1000),
    ) ??
    quotaRefusal(
      {
        key: 'tlsrptBytesPerDomainDay',
        limit: q.tlsrptBytesPerDomainDay,
        used: used.bytes,
        adding: bytes,
        unit: 'bytes',
        holder,
      },
      'PAYLOAD_TOO_LARGE',
    )
  if (refusal) throw refusal
}

export interface TenantQuotaView {
  tenantId: string
  /** What applies now. */
  quotas: Quotas
  /** The operator's overrides (the rest come from config). */
  overrides: QuotaOverrides
  defaults: Quotas
}

async function tenantVisible(deps: ServiceDeps, actor: Actor, tenantId: string): Promise<void> {
  const tenant =
    actor.kind === 'tenant' && actor.tenantId !== tenantId
      ? null
      : await deps.repos.tenants.byId(tenantId)
  if (!tenant) throw new DomainError('NOT_FOUND', `tenant "${tenantId}" not found`)
}

/** The tenant's effective quotas (the operator, or the tenant itself). */
export async function getTenantQuotas(
  deps: ServiceDeps,
  actor: Actor,
  tenantId: string,
): Promise<TenantQuotaView> {
  await tenantVisible(deps, actor, tenantId)
  const stored = await deps.repos.quotas.overrides(tenantId)
  const parsed = QuotaOverrides.safeParse(stored ?? {})
  return {
    tenantId,
    quotas: effectiveQuotas(deps.quotas, stored),
    overrides: parsed.success ? parsed.data : {},
    defaults: { ...deps.quotas },
  }
}

/** Operator only: replaces the tenant's overrides (absent keys fall back to config). */
export async function setTenantQuotas(
  deps: ServiceDeps,
  actor: Actor,
  tenantId: string,
  overrides: QuotaOverrides,
): Promise<TenantQuotaView> {
  requireOperator(actor)
  await tenantVisible(deps, actor, tenantId)
  const clean = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Record<string, number>
  await deps.repos.quotas.setOverrides(
    tenantId,
    clean,
    auditOf(deps, actor, 'tenant.quotas', tenantId, clean, tenantId),
  )
  deps.log.info('tenant_quotas_set', { tenantId, overrides: clean })
  return getTenantQuotas(deps, actor, tenantId)
}
