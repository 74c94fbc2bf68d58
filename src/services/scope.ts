import type { Actor } from '../core/actor.js'
import { verificationRecordName } from '../core/domain-claim.js'
import { DomainError } from '../core/errors.js'
import type { Domain } from '../core/ports.js'
import type { ServiceDeps } from './deps.js'

/**
 * The domain row the actor means by `name`; otherwise NOT_FOUND, so names cannot be
 * enumerated. A tenant reaches its own row, pending or live (several tenants may claim one
 * name). The operator reaches the live row, else the oldest pending claim, or with `tenantId`
 * that tenant's row.
 */
export async function ownedDomain(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  tenantId?: string,
): Promise<Domain> {
  const owner = actor.kind === 'tenant' ? actor.tenantId : tenantId
  const domain =
    owner !== undefined
      ? await deps.repos.domains.ofTenant(owner, name)
      : ((await deps.repos.domains.byName(name)) ??
        (await deps.repos.domains.claims(name))[0] ??
        null)
  if (!domain) throw new DomainError('NOT_FOUND', `domain "${name}" not found`)
  return domain
}

/** FORBIDDEN unless the actor is the operator. */
export function requireOperator(actor: Actor): void {
  if (actor.kind !== 'operator') {
    throw new DomainError('FORBIDDEN', 'this action needs the operator token')
  }
}

/**
 * A domain that is being retired accepts no new settings. A pending one does: its settings
 * are stored and served once control is proven.
 */
export function requireActive(domain: Domain): void {
  if (domain.status === 'retiring') {
    throw new DomainError(
      'CONFLICT',
      `domain "${domain.name}" is being retired until ${domain.removeAt?.toISOString()}; it cannot be changed`,
    )
  }
}

/** What only a domain with proven control may do (a logo host: a name and a certificate). */
export function requireVerified(domain: Domain, what: string): void {
  requireActive(domain)
  if (domain.status === 'pending') {
    throw new DomainError(
      'CONFLICT',
      `domain "${domain.name}" is pending: prove control (TXT ${verificationRecordName(domain.name)}, ` +
        `then POST /api/v1/domains/${domain.name}/verification) before ${what}`,
    )
  }
}
