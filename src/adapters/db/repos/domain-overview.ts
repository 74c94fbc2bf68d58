import type Database from 'better-sqlite3'
import type { DomainOverviewRepo, DomainOverviewRow } from '../../../core/domain-overview.js'

interface Row {
  id: string
  name: string
  tenantId: string
  tenantName: string
  status: DomainOverviewRow['status']
  dnsMode: DomainOverviewRow['dnsMode']
  policyMode: DomainOverviewRow['policyMode']
  certStatus: NonNullable<DomainOverviewRow['certificate']>['status'] | null
  certNotAfter: number | null
  errors: number
  warnings: number
  checkedAt: number | null
  tlsRpt: number
  ok: number | null
  failed: number | null
  bimi: number
}

/**
 * The domains list in one statement (core/domain-overview.ts): correlated sub-queries each use
 * an index keyed by domain (findings, runs, reports by day, BIMI), so a page costs its own
 * rows, not the tenant's whole set. The search is a LIKE with `%`, `_` and `\` escaped.
 */
export function domainOverviewRepo(sqlite: Database.Database): DomainOverviewRepo {
  const select = sqlite.prepare<Record<string, string | number | null>, Row>(`
    select d.id, d.name, d.tenant_id as tenantId, t.name as tenantName, d.status,
           d.dns_mode as dnsMode, p.mode as policyMode,
           c.status as certStatus, c.not_after as certNotAfter,
           (select count(*) from domain_findings f
             where f.domain_id = d.id and f.severity = 'error') as errors,
           (select count(*) from domain_findings f
             where f.domain_id = d.id and f.severity = 'warning') as warnings,
           (select max(r.ran_at) from check_runs r where r.domain_id = d.id) as checkedAt,
           exists (select 1 from tlsrpt x where x.domain_id = d.id) as tlsRpt,
           (select sum(s.successful) from tls_reports s
             where s.domain_id = d.id and s.day >= :since) as ok,
           (select sum(s.failed) from tls_reports s
             where s.domain_id = d.id and s.day >= :since) as failed,
           (select count(*) from bimi_assertions b where b.domain_id = d.id) as bimi
      from domains d
      join tenants t on t.id = d.tenant_id
      left join mta_sts_policies p on p.domain_id = d.id
      left join hostnames h on h.domain_id = d.id and h.role = 'policy'
      left join certificates c on c.hostname = h.name
     where (:tenant is null or d.tenant_id = :tenant)
       and (:search is null or d.name like :search escape '\\')
       and (:afterName is null or d.name > :afterName
            or (d.name = :afterName and d.id > :afterId))
     order by d.name, d.id
     limit :limit`)
  return {
    async page(q) {
      const search =
        q.search === null
          ? null
          : `%${q.search.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
      const rows = select.all({
        tenant: q.tenantId,
        search,
        afterName: q.after?.name ?? null,
        afterId: q.after?.id ?? null,
        limit: q.limit,
        since: q.since,
      })
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        tenantId: r.tenantId,
        tenantName: r.tenantName,
        status: r.status,
        dnsMode: r.dnsMode,
        policyMode: r.policyMode,
        certificate:
          r.certStatus === null
            ? null
            : {
                status: r.certStatus,
                notAfter: r.certNotAfter === null ? null : new Date(r.certNotAfter),
              },
        errors: r.errors,
        warnings: r.warnings,
        checkedAt: r.checkedAt === null ? null : new Date(r.checkedAt),
        tlsRpt: r.tlsRpt === 1,
        successfulSessions: r.ok ?? 0,
        failedSessions: r.failed ?? 0,
        bimiSelectors: r.bimi,
      }))
    },
  }
}
