import { z } from 'zod'
import type { Actor } from '../core/actor.js'
import { DomainName } from '../core/domain-name.js'
import { DomainError } from '../core/errors.js'
import type { Domain, Hostname } from '../core/ports.js'
import { auditOf, type ServiceDeps } from './deps.js'
import { requireDomainRoom } from './quotas.js'
import { ownedDomain } from './scope.js'

export const DomainInput = z
  .object({
    name: DomainName,
    /** Operator only: the tenant that will own the domain. */
    tenantId: z.string().min(1).max(64).optional(),
  })
  .strict()
export type DomainInput = z.infer<typeof DomainInput>

/** RFC 8461 §3.2: the policy host is `mta-sts.` + the Policy Domain. */
export const policyHostOf = (domain: string): string => `mta-sts.${domain}`

/** Longest name whose `mta-sts.` host still fits the 253-octet limit (RFC 1035 §2.3.4). */
const MAX_POLICY_DOMAIN = 253 - 'mta-sts.'.length

/** Registers a domain for the caller's tenant (CONFLICT if any tenant has it). */
export async function addDomain(
  deps: ServiceDeps,
  actor: Actor,
  input: DomainInput,
): Promise<Domain> {
  const tenantId = await targetTenant(deps, actor, input.tenantId)
  await requireDomainRoom(deps, actor, tenantId)
  if (input.name.length > MAX_POLICY_DOMAIN) {
    throw new DomainError('VALIDATION', 'invalid request', [
      {
        path: 'name',
        message: `must be at most ${MAX_POLICY_DOMAIN} octets so that its mta-sts host fits`,
      },
    ])
  }
  const domain: Domain = {
    id: deps.newId(),
    tenantId,
    name: input.name,
    status: 'active',
    createdAt: deps.clock.now(),
    retiredAt: null,
    removeAt: null,
    maxAgeHigh: null,
  }
  const hosts: Hostname[] = [
    { name: policyHostOf(domain.name), domainId: domain.id, role: 'policy' },
  ]
  await deps.repos.domains.create(
    domain,
    hosts,
    auditOf(deps, actor, 'domain.create', domain.name, {}, tenantId),
  )
  deps.log.info('domain_added', { tenantId, domain: domain.name })
  await deps.onChange(domain.id)
  return domain
}

/** The caller's domains (all domains for the operator). */
export async function listDomains(deps: ServiceDeps, actor: Actor): Promise<Domain[]> {
  return deps.repos.domains.list(actor.kind === 'tenant' ? actor.tenantId : null)
}

/** One domain the caller may see. */
export async function getDomain(deps: ServiceDeps, actor: Actor, name: string): Promise<Domain> {
  return ownedDomain(deps, actor, name)
}

async function targetTenant(deps: ServiceDeps, actor: Actor, requested?: string): Promise<string> {
  if (actor.kind === 'tenant') {
    if (requested !== undefined && requested !== actor.tenantId) {
      throw new DomainError('FORBIDDEN', 'a tenant token can only add domains to its tenant')
    }
    return actor.tenantId
  }
  if (requested === undefined || !(await deps.repos.tenants.byId(requested))) {
    throw new DomainError('VALIDATION', 'invalid request', [
      {
        path: 'tenantId',
        message: requested ? 'no such tenant' : 'required with the operator token',
      },
    ])
  }
  return requested
}
