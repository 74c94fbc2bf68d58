import type { Actor } from '../../core/actor.js'
import { domainRecords, type DnsRecord } from '../../core/dns/records.js'
import { verificationRecord } from '../../core/domain-claim.js'
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
  const [policy, tlsRpt, bimi, hosts] = await Promise.all([
    deps.repos.policies.get(domain.id),
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
