import { z } from 'zod'
import type { Actor } from '../../core/actor.js'
import { reservedNameReason } from '../../core/domain-claim.js'
import { DomainName } from '../../core/domain-name.js'
import { DomainError } from '../../core/errors.js'
import type { Domain, DomainPage, Hostname } from '../../core/ports.js'
import { auditOf, type ServiceDeps } from '../deps.js'
import { requireDomainRoom } from '../tenants/quotas.js'
import { ownedDomain } from '../scope.js'

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

/** A new claim's token: 256 random bits, base64url (what goes after `policyhost-verify=`). */
export const newClaimToken = (deps: Pick<ServiceDeps, 'newSecret'>): string =>
  deps.newSecret().replace(/^ph_/, '')

/**
 * Registers a domain for the caller's tenant. With DOMAIN_VERIFICATION=dns it is a pending
 * claim: no hostname, no certificate, nothing served until the tenant proves control (several
 * tenants may claim one name; the one that proves control holds it). With `off`, or `trusted`
 * (operator input such as policies/ files), it is live at once, and CONFLICT if another tenant
 * holds the name.
 */
export async function addDomain(
  deps: ServiceDeps,
  actor: Actor,
  input: DomainInput,
  opts: { trusted?: boolean } = {},
): Promise<Domain> {
  const tenantId = await targetTenant(deps, actor, input.tenantId)
  await requireDomainRoom(deps, actor, tenantId)
  const name = input.name
  const invalid = (message: string) =>
    new DomainError('VALIDATION', 'invalid request', [{ path: 'name', message }])
  if (name.length > MAX_POLICY_DOMAIN) {
    throw invalid(`must be at most ${MAX_POLICY_DOMAIN} octets so that its mta-sts host fits`)
  }
  const reserved = reservedNameReason(
    name,
    { serviceHost: deps.serviceHost, reserved: deps.claims.reserved },
    actor.kind,
  )
  if (reserved) throw invalid(`"${name}" ${reserved}; it cannot be registered`)
  if (await deps.repos.domains.ofTenant(tenantId, name)) {
    throw new DomainError('CONFLICT', `domain "${name}" is already registered`)
  }
  const live = deps.claims.verification === 'off' || (opts.trusted && actor.kind === 'operator')
  if (live && (await deps.repos.domains.byName(name))) {
    throw new DomainError('CONFLICT', `domain "${name}" is already registered`)
  }
  const now = deps.clock.now()
  const domain: Domain = {
    id: deps.newId(),
    tenantId,
    name,
    status: live ? 'active' : 'pending',
    createdAt: now,
    retiredAt: null,
    removeAt: null,
    maxAgeHigh: null,
    verificationToken: live ? null : newClaimToken(deps),
    verifiedAt: live ? now : null,
    claimExpiresAt: live ? null : new Date(now.getTime() + deps.claims.ttlMs),
    lastCheckAt: null,
    lastCheckError: null,
    dnsMode: 'self',
    dnsLabel: null,
  }
  // A pending claim gets its names only once control is proven (domain-verification.ts).
  const hosts: Hostname[] = live
    ? [{ name: policyHostOf(domain.name), domainId: domain.id, role: 'policy' }]
    : []
  await deps.repos.domains.create(
    domain,
    hosts,
    auditOf(deps, actor, 'domain.create', domain.name, { status: domain.status }, tenantId),
  )
  deps.log.info('domain_added', { tenantId, domain: domain.name, status: domain.status })
  return domain
}

/** Most domains one page lists, and the default page size. */
export const DOMAIN_PAGE_MAX = 1000
export const DOMAIN_PAGE_DEFAULT = 100

/**
 * The caller's domains (every tenant's, claims included, for the operator) in name order.
 * With `page`, at most `page.limit` rows after `page.after`, and the key to continue from.
 */
export async function listDomains(
  deps: ServiceDeps,
  actor: Actor,
  page?: DomainPage,
): Promise<{ domains: Domain[]; next: DomainPage['after'] }> {
  const tenantId = actor.kind === 'tenant' ? actor.tenantId : null
  if (!page) return { domains: await deps.repos.domains.list(tenantId), next: null }
  // One extra row tells whether another page exists.
  const rows = await deps.repos.domains.list(tenantId, { ...page, limit: page.limit + 1 })
  if (rows.length <= page.limit) return { domains: rows, next: null }
  const domains = rows.slice(0, page.limit)
  const last = domains[domains.length - 1]!
  return { domains, next: { name: last.name, id: last.id } }
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
