import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import type { StoredTlsRpt } from '../../core/ports.js'
import type { TlsRptSettings } from '../../core/tls-rpt/rua.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ensureReportToken, reportUrl } from './report-endpoint.js'
import { ownedDomain, requireActive } from '../scope.js'

/** Sets where TLS reports for the domain go (RFC 8460 §3), besides our hosted endpoint. */
export async function setTlsRpt(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  settings: TlsRptSettings,
): Promise<StoredTlsRpt & { domain: string; changed: boolean; reportUrl: string }> {
  const domain = await ownedDomain(deps, actor, name)
  requireActive(domain)
  const stored: StoredTlsRpt = {
    domainId: domain.id,
    rua: settings.rua,
    updatedAt: deps.clock.now(),
  }
  const url = reportUrl(deps.service.url, await ensureReportToken(deps, domain.id))
  const current = await deps.repos.tlsRpt.get(domain.id)
  if (current && JSON.stringify(current.rua) === JSON.stringify(stored.rua)) {
    return { ...current, domain: domain.name, changed: false, reportUrl: url }
  }
  await deps.repos.tlsRpt.put(
    stored,
    auditOf(deps, actor, 'tlsrpt.set', domain.name, { rua: stored.rua }, domain.tenantId),
  )
  return { ...stored, domain: domain.name, changed: true, reportUrl: url }
}

/**
 * The stored TLS-RPT settings and the hosted report URL currently published (null only for
 * settings stored before the URL existed); NOT_FOUND when none are set.
 */
export async function getTlsRpt(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<StoredTlsRpt & { domain: string; reportUrl: string | null }> {
  const domain = await ownedDomain(deps, actor, name)
  const current = await deps.repos.tlsRpt.get(domain.id)
  if (!current) throw new DomainError('NOT_FOUND', `domain "${name}" has no TLS-RPT settings`)
  const token = await deps.repos.reports.currentToken(domain.id)
  return {
    ...current,
    domain: domain.name,
    reportUrl: token ? reportUrl(deps.service.url, token) : null,
  }
}

/** Stops publishing TLS-RPT for the domain. */
export async function clearTlsRpt(deps: ServiceDeps, actor: Actor, name: string): Promise<void> {
  const domain = await ownedDomain(deps, actor, name)
  if (!(await deps.repos.tlsRpt.get(domain.id))) {
    throw new DomainError('NOT_FOUND', `domain "${name}" has no TLS-RPT settings`)
  }
  await deps.repos.tlsRpt.remove(
    domain.id,
    auditOf(deps, actor, 'tlsrpt.clear', domain.name, {}, domain.tenantId),
  )
}
