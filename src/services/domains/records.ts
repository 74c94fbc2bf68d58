import type { Actor } from '../../core/actor.js'
import { delegatedRecords, domainRecords, type DnsRecord } from '../../core/dns/records.js'
import { verificationRecord } from '../../core/domain-claim.js'
import type { Domain, StoredPolicy } from '../../core/ports.js'
import type { ServiceDeps } from '../deps.js'
import { bimiUrls } from '../bimi/bimi-urls.js'
import { ensureReportToken, reportUrl } from '../tls-rpt/report-endpoint.js'
import { ownedDomain } from '../scope.js'

/** Every DNS record the domain owner must publish, from the stored state. */
export async function recordsFor(
  deps: ServiceDeps,
  actor: Actor,
  name: string,
): Promise<DnsRecord[]> {
  const domain = await ownedDomain(deps, actor, name)
  // Until control is proven nothing else is served, so nothing else is worth publishing.
  if (domain.status === 'pending') {
    return domain.verificationToken
      ? [verificationRecord(domain.name, domain.verificationToken)]
      : []
  }
  const records = await liveRecords(deps, domain)
  if (domain.dnsMode === 'delegated' && deps.zone && domain.dnsLabel) {
    return delegatedRecords(records, domain.name, domain.dnsLabel, deps.zone.origin)
  }
  return records
}

/**
 * The records of a live domain as the owner would publish them itself (`self` mode); the
 * delegated zone serves the same TXT values (services/dns/zone-sync.ts).
 */
export async function liveRecords(
  deps: ServiceDeps,
  domain: Domain,
  /** The domain's policy when the caller has read it already (undefined: read it here). */
  known?: { policy: StoredPolicy | null },
): Promise<DnsRecord[]> {
  const [policy, tlsRpt, bimi, hosts] = await Promise.all([
    known ? known.policy : deps.repos.policies.get(domain.id),
    deps.repos.tlsRpt.get(domain.id),
    deps.repos.bimi.list(domain.id),
    deps.repos.domains.hostnames(domain.id),
  ])
  const assertions = await Promise.all(
    bimi.map(async (a) => {
      const urls = await bimiUrls(deps, domain.id, domain.name, a)
      return { selector: a.selector, logoUrl: urls.logo, certificateUrl: urls.certificate }
    }),
  )
  return domainRecords({
    domain: domain.name,
    serviceHost: deps.serviceHost,
    policyId: policy?.policyId ?? null,
    // RFC 8460 §3: our https: endpoint first, then the tenant's own URIs.
    tlsRptRua: tlsRpt
      ? [reportUrl(deps.service.url, await ensureReportToken(deps, domain.id)), ...tlsRpt.rua]
      : null,
    logoHost: hosts.find((h) => h.role === 'logo')?.name ?? null,
    bimi: assertions,
  })
}
