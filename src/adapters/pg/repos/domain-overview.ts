import { sql, type SQL } from 'drizzle-orm'
import type { DomainOverviewRepo, DomainOverviewRow } from '../../../core/domain-overview.js'
import type { PgDb } from '../database.js'

/**
 * A row as it comes back. drizzle's queries hand node-postgres their own type parsers (pg's
 * global ones), not the pool's, so int8 (count, bigint times) and numeric (sum) arrive as
 * strings here despite database.ts; Number() reads either.
 */
type Int = number | string

interface Row extends Record<string, unknown> {
  id: string
  name: string
  tenantId: string
  tenantName: string
  status: DomainOverviewRow['status']
  dnsMode: DomainOverviewRow['dnsMode']
  policyMode: DomainOverviewRow['policyMode']
  certStatus: NonNullable<DomainOverviewRow['certificate']>['status'] | null
  certNotAfter: Int | null
  errors: Int
  warnings: Int
  checkedAt: Int | null
  tlsRpt: boolean
  ok: Int | null
  failed: Int | null
  bimi: Int
}

/**
 * `%part%` for LIKE, matched literally: `\`, `%` and `_` escaped (the statement names `\` as the
 * escape). Lower-cased here with JavaScript's full Unicode rules, as the SQLite twin does.
 */
const containsPattern = (search: string): string =>
  `%${search.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`

/**
 * The domains list in one statement (core/domain-overview.ts), as the SQLite twin: correlated
 * sub-queries each use an index keyed by domain (findings, runs, reports by day, BIMI), so a
 * page costs its own rows, not the tenant's whole set.
 *
 * Same rows in the same order on both stores:
 * - (name, id) compare and sort under COLLATE "C" (byte order, as SQLite), whatever the
 *   database's collation, so a keyset cursor taken on one page means the same on the next.
 *   The price: the (tenant_id, name) index serves the tenant filter, not the order, so a page
 *   sorts the tenant's matching domains (top-N heap sort, fine at 10,000).
 * - The search is case-insensitive for ASCII letters only, exactly as SQLite's LIKE:
 *   `lower()` under COLLATE "C" folds A–Z and nothing else (PostgreSQL's C locale), and the
 *   pattern is lower-cased as the SQLite twin does. Names are A-labels in practice, so this
 *   matters only for odd rows; ILIKE under the database's locale would fold `É` too.
 * Filters absent from the query are left out of the statement rather than written as
 * `$1 is null or …`, which keeps the planner's choice of index per shape.
 */
export function domainOverviewRepo(db: PgDb): DomainOverviewRepo {
  return {
    async page(q) {
      const where: SQL[] = []
      if (q.tenantId !== null) where.push(sql`d.tenant_id = ${q.tenantId}`)
      if (q.search !== null) {
        where.push(sql`lower(d.name collate "C") like ${containsPattern(q.search)} escape '\\'`)
      }
      if (q.after !== null) {
        where.push(
          sql`(d.name collate "C", d.id collate "C") > (${q.after.name}::text, ${q.after.id}::text)`,
        )
      }
      const filter = where.length === 0 ? sql`` : sql`where ${sql.join(where, sql` and `)}`
      const result = await db.execute<Row>(sql`
        select d.id, d.name, d.tenant_id as "tenantId", t.name as "tenantName", d.status,
               d.dns_mode as "dnsMode", p.mode as "policyMode",
               c.status as "certStatus", c.not_after as "certNotAfter",
               (select count(*) from domain_findings f
                 where f.domain_id = d.id and f.severity = 'error') as errors,
               (select count(*) from domain_findings f
                 where f.domain_id = d.id and f.severity = 'warning') as warnings,
               (select max(r.ran_at) from check_runs r where r.domain_id = d.id) as "checkedAt",
               exists (select 1 from tlsrpt x where x.domain_id = d.id) as "tlsRpt",
               (select sum(s.successful) from tls_reports s
                 where s.domain_id = d.id and s.day >= ${q.since}) as ok,
               (select sum(s.failed) from tls_reports s
                 where s.domain_id = d.id and s.day >= ${q.since}) as failed,
               (select count(*) from bimi_assertions b where b.domain_id = d.id) as bimi
          from domains d
          join tenants t on t.id = d.tenant_id
          left join mta_sts_policies p on p.domain_id = d.id
          left join hostnames h on h.domain_id = d.id and h.role = 'policy'
          left join certificates c on c.hostname = h.name
          ${filter}
         order by d.name collate "C", d.id collate "C"
         limit ${q.limit}`)
      return result.rows.map((r) => ({
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
                notAfter: r.certNotAfter === null ? null : new Date(Number(r.certNotAfter)),
              },
        errors: Number(r.errors),
        warnings: Number(r.warnings),
        checkedAt: r.checkedAt === null ? null : new Date(Number(r.checkedAt)),
        tlsRpt: r.tlsRpt,
        successfulSessions: Number(r.ok ?? 0),
        failedSessions: Number(r.failed ?? 0),
        bimiSelectors: Number(r.bimi),
      }))
    },
  }
}
