import type { Actor } from '../../core/actor.js'
import { zoneLabel } from '../../core/dns/zone-label.js'
import { DomainError } from '../../core/errors.js'
import type { DnsMode, Domain } from '../../core/ports.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ownedDomain } from '../scope.js'

/** Labels tried before giving up: a clash needs two 50-bit hashes to meet, twice. */
const LABEL_ATTEMPTS = 4

/**
 * Sets who publishes the domain's TXT records (issue 12): `delegated` gives the domain its
 * zone label (once; it never changes, so the owner's CNAMEs stay valid) and the zone starts
 * serving its records; `self` takes them out of the zone again (the label is kept).
 */
export async function setDnsMode(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  mode: DnsMode,
): Promise<Domain> {
  const domain = await ownedDomain(deps, actor, name)
  if (mode === 'delegated' && deps.zone === null) {
    throw new DomainError(
      'CONFLICT',
      'this server runs no DNS zone (DNS_ZONE is unset), so records cannot be delegated',
    )
  }
  if (domain.dnsMode === mode && (mode === 'self' || domain.dnsLabel !== null)) return domain
  const audit = auditOf(deps, actor, 'domain.dns_mode', domain.name, { mode }, domain.tenantId)
  if (mode === 'self' || domain.dnsLabel !== null) {
    await deps.repos.zone.setMode(domain.id, mode, null, audit)
    return { ...domain, dnsMode: mode }
  }
  for (let attempt = 0; ; attempt++) {
    const label = zoneLabel(domain.name, attempt)
    try {
      await deps.repos.zone.setMode(domain.id, mode, label, audit)
      return { ...domain, dnsMode: mode, dnsLabel: label }
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'CONFLICT')) throw err
      if (attempt + 1 >= LABEL_ATTEMPTS) throw err
    }
  }
}
