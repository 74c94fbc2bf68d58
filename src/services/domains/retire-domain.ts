import type { Actor } from '../../core/actor.js'
import { SYSTEM_ACTOR } from '../../core/actor.js'
import type { Domain, StoredPolicy } from '../../core/ports.js'
import { renderPolicy } from '../../core/mta-sts/policy.js'
import { policyId } from '../../core/mta-sts/policy-id.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ownedDomain, requireOperator } from '../scope.js'

/** RFC 8461 §8.3 step 1: "a small max_age (e.g., one day)" for the `none` policy. */
export const RETIRE_MAX_AGE = 86_400

export type RetireResult =
  | { status: 'removed'; name: string; removedAt: Date }
  | { status: 'retiring'; name: string; retiredAt: Date; removeAt: Date; policy: StoredPolicy }

/**
 * Retires a domain the safe way (RFC 8461 §8.3): serve `mode: none` until every policy served
 * before has expired, then remove. The removal time is conservative: the previous policies were
 * last served no later than now, and the longest max_age ever published bounds their lifetime.
 * `force` (operator only) removes at once.
 */
export async function retireDomain(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
  opts: { force: boolean },
): Promise<RetireResult> {
  const domain = await ownedDomain(deps, actor, name)
  const now = deps.clock.now()
  if (opts.force) {
    requireOperator(actor)
    return remove(deps, actor, domain, now, 'forced')
  }
  // A pending claim never served anything (or no longer does, control having moved).
  if (domain.status === 'pending') return remove(deps, actor, domain, now, 'claim_withdrawn')
  if (domain.status === 'retiring' && domain.retiredAt && domain.removeAt) {
    const policy = await deps.repos.policies.get(domain.id)
    if (policy) return retiring(domain, domain.retiredAt, domain.removeAt, policy)
  }
  const removeAt = new Date(now.getTime() + (domain.maxAgeHigh ?? 0) * 1000)
  // Nothing enforceable was ever published (or only max_age 0): no sender can hold a policy.
  if (removeAt.getTime() <= now.getTime()) return remove(deps, actor, domain, now, 'no_live_policy')
  const text = renderPolicy({ mode: 'none', mx: [], maxAge: RETIRE_MAX_AGE })
  const policy: StoredPolicy = {
    domainId: domain.id,
    mode: 'none',
    mx: [],
    maxAge: RETIRE_MAX_AGE,
    policyId: policyId(text, deps.sha256Hex),
    text,
    updatedAt: now,
  }
  const next: Domain = { ...domain, status: 'retiring', retiredAt: now, removeAt }
  await deps.repos.domains.retire(
    next,
    policy,
    auditOf(
      deps,
      actor,
      'domain.retire',
      domain.name,
      { removeAt: removeAt.toISOString() },
      domain.tenantId,
    ),
  )
  deps.log.info('domain_retiring', { domain: domain.name, removeAt: removeAt.toISOString() })
  return retiring(domain, now, removeAt, policy)
}

/** Removes every retiring domain whose removal time has come; returns their names. */
export async function removeDueDomains(deps: ServiceDeps): Promise<string[]> {
  const now = deps.clock.now()
  const due = await deps.repos.domains.dueForRemoval(now)
  for (const domain of due) await remove(deps, SYSTEM_ACTOR, domain, now, 'retirement_complete')
  return due.map((d) => d.name)
}

function retiring(
  domain: Domain,
  retiredAt: Date,
  removeAt: Date,
  policy: StoredPolicy,
): RetireResult {
  return { status: 'retiring', name: domain.name, retiredAt, removeAt, policy }
}

async function remove(
  deps: ServiceDeps,
  actor: Actor,
  domain: Domain,
  now: Date,
  reason: string,
): Promise<RetireResult> {
  await deps.repos.domains.remove(
    domain.id,
    auditOf(deps, actor, 'domain.remove', domain.name, { reason }, domain.tenantId),
  )
  deps.log.info('domain_removed', { domain: domain.name, reason })
  return { status: 'removed', name: domain.name, removedAt: now }
}
