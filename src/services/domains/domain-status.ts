import type { Actor } from '../../core/actor.js'
import { adviceWithFindings } from '../../core/checks/advice-findings.js'
import type { CheckState } from '../../core/checks/check-ports.js'
import type { CertState } from '../../core/certs/types.js'
import type { Domain, HostnameRole, StoredPolicy } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { bimiReadiness, type BimiReadiness } from '../bimi/bimi-readiness.js'
import { ownedDomain } from '../scope.js'
import { delegationStatus, type DelegationStatus } from '../dns/delegation-status.js'
import { serviceWarnings } from './service-warnings.js'
import { enforceAdvice } from '../tls-rpt/tls-reports.js'
import type { Readiness } from '../../core/tls-rpt/readiness.js'

export interface HostnameStatus {
  name: string
  role: HostnameRole
  /** null: no certificate state yet (queued at the next tick). */
  cert: CertState | null
}

export interface DomainStatus {
  domain: Domain
  policy: StoredPolicy | null
  hostnames: HostnameStatus[]
  /** Present when the domain publishes BIMI. */
  bimi: BimiReadiness | null
  /** While the policy is `testing`: whether TLS reports suggest it can move to `enforce`. */
  enforceAdvice: Readiness | null
  /** Why what we hand out may not work for outsiders (services/domains/service-warnings.ts). */
  warnings: string[]
  /** Delegated mode: the zone's id against the policy's, and each CNAME as live DNS shows it. */
  dns: DelegationStatus | null
  /** The live checks' open findings and when each check last ran (issue 13). */
  checks: CheckState
}

/** What a domain owner needs to see: policy, and per hostname DNS and certificate state. */
export async function domainStatus(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<DomainStatus> {
  const domain = await ownedDomain(deps, actor, name)
  const [policy, hosts, assertions] = await Promise.all([
    deps.repos.policies.get(domain.id),
    deps.repos.domains.hostnames(domain.id),
    deps.repos.bimi.list(domain.id),
  ])
  // The advice (testing only) takes the live checks into account (issue 13).
  const [advice, checks] = await Promise.all([
    enforceAdvice(deps, actor, name),
    deps.repos.checks.state(domain.id),
  ])
  const certs = new Map(
    (await deps.repos.certs.many(hosts.map((h) => h.name))).map((c) => [c.hostname, c]),
  )
  return {
    domain,
    policy,
    hostnames: hosts.map((h) => ({ name: h.name, role: h.role, cert: certs.get(h.name) ?? null })),
    bimi: assertions.length > 0 ? await bimiReadiness(deps, domain, assertions) : null,
    enforceAdvice: advice === null ? null : adviceWithFindings(advice, checks.findings),
    warnings: await serviceWarnings(deps),
    dns: await delegationStatus(deps, domain),
    checks,
  }
}
