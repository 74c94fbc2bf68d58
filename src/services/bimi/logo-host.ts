import { z } from 'zod'
import type { Actor } from '../../core/actor.js'
import { reservedHostReason } from '../../core/domain-claim.js'
import { normalizeHostname } from '../../core/domain-name.js'
import { DomainError } from '../../core/errors.js'
import type { Domain } from '../../core/ports.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { policyHostOf } from '../domains/domains.js'
import { ownedDomain, requireVerified } from '../scope.js'

export const LogoHostInput = z.object({ hostname: z.string().min(1).max(253) }).strict()
export type LogoHostInput = z.infer<typeof LogoHostInput>

/**
 * Gives the domain its own logo host (e.g. `bimi.<domain>`, CNAMEd to us): a certificate is
 * queued for it and logo URLs move to it. It must be a name under the domain, so one tenant
 * can never claim a name in another's zone.
 */
export async function setLogoHost(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  input: LogoHostInput,
): Promise<string> {
  const domain = await ownedDomain(deps, actor, name)
  requireVerified(domain, 'it can have a logo host')
  const checked = normalizeHostname(input.hostname)
  const invalid = (message: string) =>
    new DomainError('VALIDATION', 'invalid request', [{ path: 'hostname', message }])
  if (!checked.ok) throw invalid(checked.issues[0]?.message ?? 'invalid hostname')
  const host = checked.value
  if (!host.endsWith(`.${domain.name}`)) throw invalid(`must be a name under ${domain.name}`)
  if (host === policyHostOf(domain.name)) throw invalid('is the MTA-STS policy host')
  const reserved = reservedHostReason(host, deps.serviceHost)
  if (reserved) throw invalid(reserved)
  const inner = await innerDomainOfOther(deps, host, domain)
  if (inner) throw invalid(`is inside ${inner}, a domain another tenant has proven control of`)
  const existing = (await deps.repos.domains.hostnames(domain.id)).find((h) => h.role === 'logo')
  if (existing?.name === host) return host
  if (existing)
    throw new DomainError(
      'CONFLICT',
      `domain already has logo host ${existing.name}; remove it first`,
    )
  const now = deps.clock.now()
  await deps.repos.bimi.addLogoHost(
    domain.id,
    host,
    now,
    auditOf(deps, actor, 'bimi.logo_host', host, {}, domain.tenantId),
  )
  return host
}

/** Removes the logo host; logo URLs fall back to the service host. */
export async function removeLogoHost(deps: ServiceDeps, actor: Actor, name: string): Promise<void> {
  const domain = await ownedDomain(deps, actor, name)
  const existing = (await deps.repos.domains.hostnames(domain.id)).find((h) => h.role === 'logo')
  if (!existing) throw new DomainError('NOT_FOUND', `domain "${name}" has no logo host`)
  await deps.repos.bimi.removeLogoHost(
    existing.name,
    auditOf(deps, actor, 'bimi.logo_host.remove', existing.name, {}, domain.tenantId),
  )
}

/**
 * A live domain of another tenant between `host` and its own domain (B proved control of
 * `sub.a.example`; A may not put a logo host in it), or null.
 */
async function innerDomainOfOther(
  deps: ServiceDeps,
  host: string,
  domain: Domain,
): Promise<string | null> {
  const labels = host.split('.')
  const depth = domain.name.split('.').length
  for (let i = 1; labels.length - i > depth; i++) {
    const zone = labels.slice(i).join('.')
    const live = await deps.repos.domains.byName(zone)
    if (live && live.tenantId !== domain.tenantId) return zone
  }
  return null
}
