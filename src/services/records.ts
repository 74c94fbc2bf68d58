import type { Actor } from '../core/actor.js'
import { domainRecords, type DnsRecord } from '../core/dns/records.js'
import type { ServiceDeps } from './deps.js'
import { ownedDomain } from './scope.js'

/** Every DNS record the domain owner must publish, from the stored state. */
export async function recordsFor(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<DnsRecord[]> {
  const domain = await ownedDomain(deps, actor, name)
  const [policy, tlsRpt] = await Promise.all([
    deps.repos.policies.get(domain.id),
    deps.repos.tlsRpt.get(domain.id),
  ])
  return domainRecords({
    domain: domain.name,
    serviceHost: deps.serviceHost,
    policyId: policy?.policyId ?? null,
    tlsRptRua: tlsRpt?.rua ?? null,
  })
}
