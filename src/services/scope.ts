import type { Actor } from '../core/actor.js'
import { DomainError } from '../core/errors.js'
import type { Domain } from '../core/ports.js'
import type { ServiceDeps } from './deps.js'

/** The domain if the actor may see it; otherwise NOT_FOUND, so names cannot be enumerated. */
export async function ownedDomain(deps: ServiceDeps, actor: Actor, name: string): Promise<Domain> {
  const domain = await deps.repos.domains.byName(name)
  if (!domain || (actor.kind === 'tenant' && domain.tenantId !== actor.tenantId)) {
    throw new DomainError('NOT_FOUND', `domain "${name}" not found`)
  }
  return domain
}

/** FORBIDDEN unless the actor is the operator. */
export function requireOperator(actor: Actor): void {
  if (actor.kind !== 'operator') {
    throw new DomainError('FORBIDDEN', 'this action needs the operator token')
  }
}

/** A domain that is being retired accepts no new settings. */
export function requireActive(domain: Domain): void {
  if (domain.status !== 'active') {
    throw new DomainError(
      'CONFLICT',
      `domain "${domain.name}" is being retired until ${domain.removeAt?.toISOString()}; it cannot be changed`,
    )
  }
}
