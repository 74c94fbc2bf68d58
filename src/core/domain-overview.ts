/**
 * The domains list at a glance (issue 14): one row per domain with what the dashboard shows
 * beside its name, read in one query per page — a page of 50 must stay fast with 10,000
 * domains in a tenant.
 */

export interface DomainOverviewRow {
  id: string
  name: string
  tenantId: string
  tenantName: string
  status: 'pending' | 'active' | 'retiring'
  dnsMode: 'self' | 'delegated'
  policyMode: 'enforce' | 'testing' | 'none' | null
  /** The policy host's certificate: null before the first attempt. */
  certificate: { status: 'pending' | 'dns_pending' | 'ok' | 'failed'; notAfter: Date | null } | null
  /** Open findings of the live checks, and when a check last ran (null: never). */
  errors: number
  warnings: number
  checkedAt: Date | null
  /** Whether TLS-RPT is on, and the sessions senders reported since `since`. */
  tlsRpt: boolean
  successfulSessions: number
  failedSessions: number
  bimiSelectors: number
}

export interface DomainOverviewQuery {
  /** One tenant's domains, or every tenant's (operator). */
  tenantId: string | null
  /** Part of the name, case-insensitive; matched literally (no wildcards). */
  search: string | null
  /** Keyset: the last row of the previous page, in (name, id) order. */
  after: { name: string; id: string } | null
  limit: number
  /** TLS-RPT sessions are counted from this UTC day (YYYY-MM-DD) on. */
  since: string
}

/** Contract: read-only; rows in (name, id) order, at most `limit`; no row is locked or cached. */
export interface DomainOverviewRepo {
  page(query: DomainOverviewQuery): Promise<DomainOverviewRow[]>
}
