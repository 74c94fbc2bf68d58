/**
 * The runtime: config → database (migrated) → adapters → services and engines, wired once,
 * with no listener and no job (one-shot CLI commands use it as it is; serve.ts starts the rest).
 * Nothing else in src/ builds adapters.
 */
import { hostname as machineName } from 'node:os'
import type { Config } from '../config.js'
import { SYSTEM_ACTOR } from '../core/actor.js'
import type { Issuer } from '../core/certs/types.js'
import type { ChangeFeed } from '../core/changes.js'
import { CHECK_KINDS } from '../core/checks/findings.js'
import { noMetrics } from '../core/metrics.js'
import type { Clock, Logger } from '../core/ports.js'
import {
  publicHttpsPort,
  serviceHostCertified,
  serviceHostWarnings,
  serviceUrl,
} from '../core/service-host.js'
import { WorkerPool } from '../adapters/workers/pool.js'
import { pooledPorts } from '../adapters/workers/ports.js'
import { localCa, localCaRootPath } from '../adapters/certs/local-ca.js'
import { newId } from '../adapters/crypto/secrets.js'
import { dnsResolver } from '../adapters/dns/resolver.js'
import { readPolicyDir } from '../adapters/fs/policy-files.js'
import { createLogger, type LogSink } from '../adapters/log/logger.js'
import type { PolicyhostMetrics } from '../adapters/metrics/registry.js'
import { SniCache } from '../adapters/tls/sni-cache.js'
import { CertManager } from '../services/engines/cert-manager.js'
import { LogoFiles } from '../services/engines/logo-serving.js'
import type { ServiceDeps } from '../services/deps.js'
import { PolicySnapshot } from '../services/engines/policy-snapshot.js'
import { syncPolicyFiles, type SyncOutcome } from '../services/domains/sync.js'
import { bootstrapOperatorToken } from '../services/auth/tokens.js'
import { serviceDeps } from './service-deps.js'
import { openStore, type Store } from './store.js'
import { LIVE_WINDOW_MS, syncZoneEntry, zoneDomainOf } from '../services/dns/zone-sync.js'

export { VERSION } from '../version.js'

export interface RuntimeOptions {
  clock?: Clock
  logSink?: LogSink
  /**
   * One-shot CLI commands: changes do not start background issuance (the server does it), and
   * nothing is counted for metrics even with METRICS_PORT set (no listener would expose it).
   */
  oneShot?: boolean
  /** The worker pool's module, if not the one beside pool.ts (WorkerPoolOptions.entry). */
  workerEntry?: string
}

export interface Runtime {
  config: Config
  deps: ServiceDeps
  /** Every committed change of this process; other processes' show as `reconcile` (serve()). */
  changes: ChangeFeed
  snapshot: PolicySnapshot
  logos: LogoFiles
  certs: CertManager
  sni: SniCache
  issuer: Issuer
  log: Logger
  /** SQLite or PostgreSQL (DATABASE_URL), with its change feed. */
  store: Store
  /** Unique per process: its change notifications, certificate orders and job leases. */
  instanceId: string
  /** Worker threads for tenant work (SVG, certificates, reports); none for one-shot commands. */
  workers: WorkerPool | null
  /**
   * The Prometheus registry serve() exposes on METRICS_PORT; null for one-shot commands and
   * without METRICS_PORT, where nothing is counted (every part gets `noMetrics`).
   */
  metrics: PolicyhostMetrics | null
  /** Stops the workers and closes the store. */
  close(): Promise<void>
}

export const systemClock: Clock = { now: () => new Date() }

async function makeIssuer(config: Config, deps: ServiceDeps, store: Store): Promise<Issuer> {
  if (config.acmeDirectoryUrl === null) {
    // Real time, not the injected clock: clients check validity against their own clock.
    return localCa(config.certsDir, {
      keyType: config.ACME_KEY_TYPE,
      clock: () => new Date(),
    })
  }
  // Loaded only when ACME is configured: acme-client alone takes ~0.4 s to import.
  const { acmeIssuer } = await import('../adapters/acme/acme-issuer.js')
  return acmeIssuer({
    directoryUrl: config.acmeDirectoryUrl,
    accounts: store.accounts,
    email: config.ACME_EMAIL ?? null,
    eab:
      config.ACME_EAB_KID && config.ACME_EAB_HMAC_KEY
        ? { kid: config.ACME_EAB_KID, hmacKey: config.ACME_EAB_HMAC_KEY }
        : null,
    keyType: config.ACME_KEY_TYPE,
    caFile: config.ACME_CA_FILE ?? null,
    challenges: deps.repos.challenges,
    clock: () => deps.clock.now(),
    log: deps.log,
  })
}

/** SERVICE_HOST's base URL, whether it gets a certificate, and what will not work for outsiders. */
function serviceIdentity(config: Config) {
  const issuer = config.acmeDirectoryUrl === null ? 'local' : 'acme'
  const host = config.SERVICE_HOST
  return {
    url: serviceUrl(host, publicHttpsPort(host, config.HTTPS_PORT, config.PUBLIC_HTTPS_PORT)),
    certified: serviceHostCertified(host, issuer),
    warnings: serviceHostWarnings({
      host,
      issuer,
      localCaRoot: issuer === 'local' ? localCaRootPath(config.certsDir) : null,
    }),
  }
}

/**
 * The server's metrics when METRICS_PORT is set (never for one-shot commands: a CLI run has no
 * scrape listener). Loaded on demand, so commands do not pay for importing prom-client.
 */
async function makeMetrics(config: Config, oneShot: boolean): Promise<PolicyhostMetrics | null> {
  if (oneShot || config.METRICS_PORT === undefined) return null
  const { createMetrics } = await import('../adapters/metrics/registry.js')
  return createMetrics({ perDomain: config.METRICS_PER_DOMAIN, checkKinds: CHECK_KINDS })
}

const workerOptions = (config: Config, log: Logger) => ({
  size: config.WORKERS_TENANT_JOBS,
  timeoutMs: config.WORKER_JOB_TIMEOUT_MS,
  maxOldMb: config.WORKER_MAX_OLD_MB,
  perTenant: config.WORKER_JOBS_PER_TENANT,
  maxQueued: config.WORKER_QUEUE_MAX,
  log,
})

/** Opens and migrates the database and wires services and certificates; no listener, no job. */
export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = createLogger(config.LOG_LEVEL, opts.logSink)
  // Names this process's change notifications and certificate leases.
  const instanceId = `${machineName()}:${process.pid}:${newId()}`
  const store = await openStore(config, log, { instanceId })
  // Writes publish here once committed; each reader of served state subscribes once, below.
  const { changes, repos } = store
  const service = serviceIdentity(config)
  const extraHosts = service.certified ? [config.SERVICE_HOST] : []
  const snapshot = new PolicySnapshot(repos.snapshot, log, extraHosts)
  const dns = dnsResolver(config.DNS_SERVERS)
  const logos = new LogoFiles({ repos })
  // The snapshot first: its view of a domain is current before the others react.
  changes.subscribe((c) => snapshot.apply(c))
  changes.subscribe((c) => logos.apply(c))
  // Tenant input is parsed in worker threads with a deadline, never on the serving loop; a
  // one-shot command has no loop to protect and runs it in-process.
  const workers = opts.oneShot
    ? null
    : new WorkerPool({ ...workerOptions(config, log), entry: opts.workerEntry })
  const work = workers
    ? pooledPorts(
        workers,
        { size: config.WORKERS_TENANT_JOBS, maxQueued: config.WORKER_QUEUE_MAX },
        store.reportSource,
      )
    : (await import('../adapters/workers/in-process-ports.js')).inProcessPorts((q) =>
        repos.reports.healthRows(q.domainId, q.fromDay, q.toDay),
      )
  const metrics = await makeMetrics(config, opts.oneShot === true)
  // Read on every scrape, so the gauges follow renewals and removals without any hook.
  metrics?.setCertificateSource(() => repos.certs.list())
  const deps = serviceDeps(config, {
    repos,
    clock: opts.clock ?? systemClock,
    log,
    dns,
    work,
    serviceUrl: service.url,
    serviceWarnings: service.warnings,
    metrics: metrics ?? noMetrics,
  })
  if (config.ADMIN_TOKEN) await bootstrapOperatorToken(deps, config.ADMIN_TOKEN)
  const certStore = store.certs
  const issuer = await makeIssuer(config, deps, store)
  const sni = new SniCache({
    store: certStore,
    serialOf: (h) => snapshot.certSerial(h),
    maxEntries: config.TLS_CONTEXT_CACHE,
    log,
    changes,
    metrics: deps.metrics,
  })
  const certs = new CertManager(
    {
      repos,
      store: certStore,
      issuer,
      dns,
      clock: deps.clock,
      log,
      serviceHost: config.SERVICE_HOST,
      publicAddresses: config.PUBLIC_ADDRESSES,
      preflight: config.acmeDirectoryUrl !== null,
      orderTimeoutMs: config.ACME_ORDER_TIMEOUT_SECONDS * 1000,
      changes,
      // The local CA places no ACME order: its issuance is not counted as one.
      metrics: config.acmeDirectoryUrl === null ? noMetrics : deps.metrics,
    },
    {
      concurrency: config.ACME_CONCURRENCY,
      extraHosts,
      owner: instanceId,
    },
  )
  changes.subscribe((c) => sni.apply(c))
  // One-shot commands leave issuance to the server (which sees their writes as a reconcile).
  if (!opts.oneShot) changes.subscribe((c) => certs.apply(c))
  // A one-shot command's writes reach the delegated zone too: a server would see them only as a
  // reconcile, which brings policy ids forward but does not compare every TLS-RPT or BIMI value.
  // It serves nothing, so it never reports a policy served: `_mta-sts` ids still move only once
  // the serving instances all serve the policy (RFC 8461 §8.1; runtime/dns.ts).
  if (opts.oneShot && config.DNS_ZONE !== undefined) {
    const sync = { deps, instanceId: 'one-shot', liveWindowMs: LIVE_WINDOW_MS, serves: () => false }
    changes.subscribe(async (c) => {
      const domainId = zoneDomainOf(c)
      if (domainId !== null) await syncZoneEntry(sync, domainId)
    })
  }
  const close = async () => {
    void workers?.destroy()
    await store.close()
  }
  return {
    config,
    deps,
    changes,
    snapshot,
    logos,
    certs,
    sni,
    issuer,
    log,
    store,
    instanceId,
    workers,
    metrics,
    close,
  }
}

export type { ReportFile } from '../adapters/mail/report-files.js'

/**
 * Adapters that CLI commands use on local files: the SVG converter (`logo convert`, which needs
 * no database) and the reader of mailed report files (`tls-rpt import`). Loaded on demand; the
 * CLI reaches adapters only through this composition root (eslint.config.js keeps it so).
 */
export async function fileTools() {
  const [{ convertToTinyPs }, { readReportFile }] = await Promise.all([
    import('../adapters/svg/convert.js'),
    import('../adapters/mail/report-files.js'),
  ])
  return { convertToTinyPs, readReportFile }
}

/**
 * Applies `dir` (the policies/ folder) and logs each applied file at info; a rejected file is
 * logged once, by the sync service (`policy_file_rejected`), and returned for the caller.
 */
export async function syncDir(rt: Runtime, dir: string): Promise<SyncOutcome[]> {
  const outcomes = await syncPolicyFiles(rt.deps, SYSTEM_ACTOR, await readPolicyDir(dir))
  for (const o of outcomes) {
    if (o.result !== 'error') {
      rt.log.info('policy_file', { path: o.path, domain: o.domain, result: o.result })
    }
  }
  return outcomes
}
