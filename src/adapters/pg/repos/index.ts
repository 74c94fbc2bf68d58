import type { ChangePublisher } from '../../../core/changes.js'
import type { Repos } from '../../../core/ports.js'
import { publishingRepos } from '../../changes/publishing-repos.js'
import type { OpenPg } from '../database.js'
import { unavailableOnOutage } from '../outage.js'
import { pgLookups } from '../publish-lookups.js'
import { alertRepo } from './alerts.js'
import { bimiRepo } from './bimi.js'
import { certStateRepo } from './cert-states.js'
import { challengeStore } from './challenges.js'
import { checkRepo } from './checks.js'
import { zoneRepo } from './dns-zone.js'
import { domainOverviewRepo } from './domain-overview.js'
import { domainRepo } from './domains.js'
import { policyRepo } from './policies.js'
import { quotaRepo } from './quotas.js'
import { snapshotSource } from './snapshot.js'
import { tenantRepo } from './tenants.js'
import { tlsReportRepo } from './tls-reports.js'
import { tlsRptRepo } from './tls-rpt.js'
import { tokenRepo } from './tokens.js'
import { webSessionRepo } from './web-sessions.js'
import { leaseRepo } from './leases.js'

/**
 * Every repository over one PostgreSQL pool; with `changes`, each committed write publishes its
 * event there (changes/publishing-repos.ts), and through it (pg-notify.ts) to every instance.
 */
export function pgRepos(open: OpenPg, changes?: ChangePublisher): Repos {
  const { db } = open
  const repos: Repos = {
    tenants: tenantRepo(db),
    tokens: tokenRepo(db),
    domains: domainRepo(db),
    policies: policyRepo(db),
    tlsRpt: tlsRptRepo(db),
    snapshot: snapshotSource(open),
    certs: certStateRepo(db),
    challenges: challengeStore(db),
    bimi: bimiRepo(db),
    reports: tlsReportRepo(db),
    quotas: quotaRepo(db),
    zone: zoneRepo(db),
    checks: checkRepo(db),
    alerts: alertRepo(db),
    overview: domainOverviewRepo(db),
    sessions: webSessionRepo(db),
    leases: leaseRepo(db),
  }
  // The store being away answers 503, not 500 (outage.ts).
  const safe = unavailableOnOutage(repos)
  return changes ? publishingRepos(safe, pgLookups(db), changes) : safe
}
