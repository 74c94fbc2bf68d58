import type { ChangePublisher } from '../../core/changes.js'
import type { Repos } from '../../core/ports.js'
import type { OpenDb } from './database.js'
import { publishingRepos } from './publishing-repos.js'
import { bimiRepo } from './repos/bimi.js'
import { certStateRepo } from './repos/cert-states.js'
import { challengeStore } from './repos/challenges.js'
import { domainRepo } from './repos/domains.js'
import { policyRepo } from './repos/policies.js'
import { quotaRepo } from './repos/quotas.js'
import { snapshotSource } from './repos/snapshot.js'
import { tenantRepo } from './repos/tenants.js'
import { tlsReportRepo } from './repos/tls-reports.js'
import { tlsRptRepo } from './repos/tls-rpt.js'
import { tokenRepo } from './repos/tokens.js'

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
    reports: tlsReportRepo(open.db),
    quotas: quotaRepo(open.db),
  }
  return changes ? publishingRepos(repos, open.db, changes) : repos
}
