import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import { renderPolicy, type MtaStsPolicy } from '../../core/mta-sts/policy.js'
import { policyId } from '../../core/mta-sts/policy-id.js'
import type { StoredPolicy } from '../../core/ports.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ownedDomain, requireActive } from '../scope.js'

export interface PolicyView extends StoredPolicy {
  domain: string
}

/**
 * Stores the domain's MTA-STS policy. The id changes exactly when the rendered text changes
 * (RFC 8461 §3.1): an identical policy is a no-op that keeps the id and writes nothing.
 */
export async function setPolicy(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  policy: MtaStsPolicy,
): Promise<PolicyView & { changed: boolean }> {
  const domain = await ownedDomain(deps, actor, name)
  requireActive(domain)
  const text = renderPolicy(policy)
  const stored: StoredPolicy = {
    domainId: domain.id,
    mode: policy.mode,
    mx: policy.mx,
    maxAge: policy.maxAge,
    policyId: policyId(text, deps.sha256Hex),
    text,
    updatedAt: deps.clock.now(),
  }
  // The store decides "identical" under the row's lock (no read first: one round trip fewer on
  // the API's most frequent write); the answer then shows the policy as it stays stored.
  const revision = await deps.repos.policies.put(
    stored,
    auditOf(deps, actor, 'policy.set', domain.name, { policyId: stored.policyId }, domain.tenantId),
  )
  if (revision === null) {
    const current = await deps.repos.policies.get(domain.id)
    // Gone between the two: the domain was removed meanwhile.
    if (!current) throw new DomainError('NOT_FOUND', `domain "${name}" not found`)
    return { ...current, domain: domain.name, changed: false }
  }
  deps.log.info('policy_set', { domain: domain.name, policyId: stored.policyId, mode: stored.mode })
  return { ...stored, domain: domain.name, changed: true }
}

/** The stored policy; NOT_FOUND when the domain has none yet. */
export async function getPolicy(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<PolicyView> {
  const domain = await ownedDomain(deps, actor, name)
  const policy = await deps.repos.policies.get(domain.id)
  if (!policy) throw new DomainError('NOT_FOUND', `domain "${name}" has no MTA-STS policy yet`)
  return { ...policy, domain: domain.name }
}
