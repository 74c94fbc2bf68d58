import type { Actor } from '../../core/actor.js'
import { DomainError } from '../../core/errors.js'
import { parsePolicy } from '../../core/mta-sts/policy.js'
import { freshPolicyId } from '../../core/mta-sts/policy-id.js'
import type { StoredPolicy } from '../../core/ports.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { ownedDomain } from '../scope.js'

export interface RestoreResult {
  name: string
  restoredAt: Date
  /** The policy served again, under a new id; null when the domain had none before. */
  policy: StoredPolicy | null
  /** The id the same policy had before the retirement (not reused: RFC 8461 §3.1). */
  previousPolicyId: string | null
}

/**
 * Cancels a retirement while the domain is still retiring: it is active again and serves the
 * policy in force before the retirement, under a new id (RFC 8461 §3.1), so that senders that
 * fetched the `mode: none` policy see the id change. RFC 8461 §8.1: that policy is served from
 * now on; the owner then publishes its id in `_mta-sts`. A domain that had no policy before
 * is restored to no policy. CONFLICT when the domain is not retiring.
 */
export async function restoreDomain(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<RestoreResult> {
  const domain = await ownedDomain(deps, actor, name)
  if (domain.status !== 'retiring') {
    throw new DomainError(
      'CONFLICT',
      `domain "${domain.name}" is ${domain.status}, not being retired: there is no retirement to cancel`,
    )
  }
  const now = deps.clock.now()
  const previous = await deps.repos.domains.retiredPolicy(domain.id)
  let policy: StoredPolicy | null = null
  if (previous) {
    const parsed = parsePolicy(previous.text)
    // The text is one we rendered and served: failing to parse it is a bug, not tenant input.
    if (!parsed.ok)
      throw new Error(`stored policy ${previous.policyId} of ${domain.name} is invalid`)
    const used = (await deps.repos.policies.versions(domain.id)).map((v) => v.policyId)
    policy = {
      domainId: domain.id,
      mode: parsed.value.mode,
      mx: parsed.value.mx,
      maxAge: parsed.value.maxAge,
      policyId: freshPolicyId(previous.text, deps.sha256Hex, used),
      text: previous.text,
      updatedAt: now,
    }
  }
  const detail = {
    policyId: policy?.policyId ?? null,
    previousPolicyId: previous?.policyId ?? null,
  }
  await deps.repos.domains.restore(
    domain.id,
    policy,
    auditOf(deps, actor, 'domain.restore', domain.name, detail, domain.tenantId),
  )
  deps.log.info('domain_restored', { domain: domain.name, ...detail })
  return { name: domain.name, restoredAt: now, policy, previousPolicyId: detail.previousPolicyId }
}
