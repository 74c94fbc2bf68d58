import type { ChangePublisher } from '../../../core/changes.js'
import type { Repos } from '../../../core/ports.js'
import type { OpenDb } from '../database.js'
import { publishingRepos } from '../../changes/publishing-repos.js'
import { sqliteLookups } from '../publish-lookups.js'
import { domainOverviewRepo } from './domain-overview.js'
import { alertRepo } from './alerts.js'
import { bimiRepo } from './bimi.js'
import { checkRepo } from './checks.js'
import { certStateRepo } from './cert-states.js'
import { challengeStore } from './challenges.js'
import { zoneRepo } from './dns-zone.js'
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
 * Every repository over one open database; with `changes`, each committed write publishes its
 * event there (publishing-repos.ts).
 */
export function sqliteRepos(open: OpenDb, changes?: ChangePublisher): Repos {
  const repos: Repos = {
    tenants: tenantRepo(open.db),
    tokens: tokenRepo(open.db),
    domains: domainRepo(open.db),
    policies: policyRepo(open.db),
    tlsRpt: tlsRptRepo(open.db),
    snapshot: snapshotSource(open),
    certs: certStateRepo(open.db),
    challenges: challengeStore(open.db),
    bimi: bimiRepo(open.db),
    reports: tlsReportRepo(open.db, open.sqlite),
    quotas: quotaRepo(open.db),
    zone: zoneRepo(open),
    checks: checkRepo(open),
    alerts: alertRepo(open),
    overview: domainOverviewRepo(open.sqlite),
    sessions: webSessionRepo(open.db),
    leases: leaseRepo(open.db),
  }
  return changes ? publishingRepos(repos, sqliteLookups(open.db), changes) : repos
}
