/**
 * Serving: both listeners, the health monitor, the background jobs and the watch for other
 * processes' commits (SQLite data_version, PostgreSQL LISTEN) on an opened runtime, and their
 * graceful stop (readiness first, then listeners, jobs, store).
 */
import type { Server } from 'node:http'
import { localCaRootPath } from '../adapters/certs/local-ca.js'
import { listenMetrics, type MetricsListener } from '../adapters/metrics/metrics-server.js'
import { startScheduler, type Job, type Scheduler } from '../adapters/scheduler/cron.js'
import { createApp } from '../http/app.js'
import { httpDepsOf } from './http-deps.js'
import { listenerSettings } from './listener-settings.js'
import {
  bindError,
  closeGracefully,
  listenHttp,
  listenHttps,
  listening,
  portOf,
} from './listeners.js'
import { HealthMonitor } from '../services/engines/health.js'
import { removeDueDomains } from '../services/domains/retire-domain.js'
import { checkPendingClaims, removeExpiredClaims } from '../services/domains/domain-verification.js'
import { syncDir, systemClock, VERSION, type Runtime } from './open.js'
import { startZone, ZONE_TICK, type RunningZone } from './dns.js'
import { AlertDispatcher } from '../services/engines/alert-dispatcher.js'
import { DomainChecker } from '../services/engines/domain-checker.js'
import { pruneSessions } from '../services/auth/web-sessions.js'

/** The check job's period ('* * * * *'): batches are sized from it. */
const CHECK_TICK_MS = 60_000

export interface RunningServer {
  httpPort: number
  httpsPort: number
  /** The `/metrics` listener's port (METRICS_PORT=0 picks one); null without METRICS_PORT. */
  metricsPort: number | null
  runtime: Runtime
  /** What /healthz and /readyz report. */
  health: HealthMonitor
  /** The background jobs (retired domains, claims, renewals, sessions, checks, alerts, zone). */
  jobs: Scheduler
  /**
   * Fails readiness, waits `drainDelayMs`, then stops accepting, finishes in-flight requests,
   * stops jobs and closes the database.
   */
  close(): Promise<void>
}

export interface ServeOptions {
  /**
   * Time between readiness turning 503 and the listeners closing, for a load balancer to stop
   * sending here; 0 (the default) closes at once, as a platform that stops routing itself needs.
   */
  drainDelayMs?: number
  /**
   * Runs the scheduled jobs (renewals, claims, retirements, checks, alerts, sessions); false in
   * every cluster worker but one (WORKERS). The zone's heartbeat runs regardless: it is this
   * process's own. Default true.
   */
  jobs?: boolean
  /** Listens on METRICS_PORT; false in cluster workers, whose primary answers. Default true. */
  metricsListener?: boolean
}

/** Starts both listeners and the background jobs on an opened runtime. */
export async function serve(rt: Runtime, opts: ServeOptions = {}): Promise<RunningServer> {
  const { config, log } = rt
  // Set as each part starts; the probes below read them whenever /healthz is asked.
  let http: Server | undefined
  let https: Server | undefined
  let jobs: Scheduler | null = null
  let zone: RunningZone | null = null
  let metrics: MetricsListener | null = null
  const health = new HealthMonitor(
    {
      listening: (l) => ((l === 'http' ? http : https) as Server | undefined)?.listening === true,
      database: rt.store.probe,
      sharedStore: rt.store.kind === 'postgres',
      scheduler: () => jobs?.status() ?? null,
      workers: () => rt.workers && { size: config.WORKERS_TENANT_JOBS, ...rt.workers.stats() },
      policies: () => rt.snapshot.size,
      dns: () =>
        zone && {
          zone: zone.zone.zone().settings.origin,
          serial: zone.zone.zone().serial,
          entries: zone.zone.zone().size,
          listening: zone.server.listening(),
        },
    },
    systemClock,
  )
  if (config.POLICIES_DIR) await syncPoliciesAtStart(rt, config.POLICIES_DIR)
  await rt.certs.prepare()
  // Other processes' commits (CLI, other instances) become `reconcile` events; the baseline is
  // taken before the full load below, so none falls between the two.
  const otherProcesses = await rt.store.watchOthers((ok) => health.snapshotPolled(ok))
  await rt.snapshot.refresh()
  health.snapshotLoaded()
  const httpDeps = httpDepsOf(rt, health)
  const listenerOptions = listenerSettings(config, log)
  // Fail fast: a listener that cannot bind stops start-up with nothing left half-started (a
  // process serving HTTP only would still pass its health check).
  const bind = config.BIND_ADDRESS
  try {
    http = await listening(
      'HTTP_PORT',
      bind,
      config.HTTP_PORT,
      listenHttp(createApp(httpDeps, 'http').fetch, listenerOptions(config.HTTP_PORT)),
    )
    https = await listening(
      'HTTPS_PORT',
      bind,
      config.HTTPS_PORT,
      listenHttps(
        createApp(httpDeps, 'https').fetch,
        listenerOptions(config.HTTPS_PORT),
        rt.sni,
        httpDeps,
      ),
    )
    // After the snapshot: the zone's ids follow what is served (RFC 8461 §8.1).
    zone = await startZone(rt)
    metrics = opts.metricsListener === false ? null : await startMetrics(rt)
  } catch (err) {
    await zone?.stop()
    if (https) await closeGracefully(https)
    if (http) await closeGracefully(http)
    await rt.workers?.destroy()
    await rt.certs.stop()
    await otherProcesses.stop()
    await rt.close()
    throw err
  }
  otherProcesses.start()
  const checker = startChecker(rt)
  // Alerts go out whoever ran the check (schedule, API, CLI): always subscribed.
  const alerts = new AlertDispatcher({ deps: rt.deps, sender: rt.deps.webhooks.sender, log })
  rt.changes.subscribe((c) => alerts.apply(c))
  const shared = opts.jobs === false ? [] : sharedJobs(rt, checker, alerts)
  // The delegated zone: this process's heartbeat, and changes waiting for other instances.
  // Cluster-wide, each shared job runs on one instance per tick: the one holding its lease.
  const leases = { repo: rt.deps.repos.leases, owner: rt.instanceId }
  jobs = startScheduler([...shared, ...zoneJobs(zone, rt)], log, undefined, leases)
  // In the background: a damaged store must not delay serving the healthy certificates.
  const verified = rt.certs
    .verifyStore()
    .then(() => rt.certs.kick())
    .catch((err: Error) => log.error('cert_verify_failed', { error: err.message }))
  const httpPort = portOf(http)
  const httpsPort = portOf(https)
  log.info('listening', {
    http: httpPort,
    https: httpsPort,
    ...(metrics ? { metrics: metrics.port } : {}),
    serviceHost: config.SERVICE_HOST,
    issuer: rt.issuer.name,
    version: VERSION,
    // The name this process holds leases under (certificate orders, jobs): which one is busy.
    instance: rt.instanceId,
    store: rt.store.kind,
    // Where a newcomer points curl first, and the root their client must trust.
    adminApi: `${rt.deps.service.url}/api/v1`,
    ...(rt.issuer.name === 'local' ? { trust: localCaRootPath(config.certsDir) } : {}),
  })
  for (const warning of rt.deps.service.warnings) log.warn('service_host', { warning })
  return {
    httpPort,
    httpsPort,
    metricsPort: metrics?.port ?? null,
    runtime: rt,
    health,
    jobs,
    async close() {
      // Readiness fails first, so a load balancer stops sending before the listeners close.
      health.drain()
      if (opts.drainDelayMs) await new Promise((r) => setTimeout(r, opts.drainDelayMs))
      await otherProcesses.stop()
      // Tenant jobs are cut short at once (answered 503), so no worker holds the shutdown.
      await Promise.all([
        rt.workers?.destroy(),
        closeGracefully(https),
        closeGracefully(http),
        metrics?.close(),
      ])
      await jobs?.stop()
      checker?.stop()
      await checker?.settled()
      await alerts.settled()
      await zone?.stop()
      await rt.certs.stop([verified])
      await rt.close()
      log.info('stopped')
    },
  }
}

/**
 * The `/metrics` listener on METRICS_BIND_ADDRESS:METRICS_PORT, started last (nothing to count
 * before the others listen); none without METRICS_PORT. A bind failure names the setting.
 */
async function startMetrics(rt: Runtime): Promise<MetricsListener | null> {
  const { config, log } = rt
  if (rt.metrics === null || config.METRICS_PORT === undefined) return null
  const address = config.METRICS_BIND_ADDRESS
  try {
    return await listenMetrics(rt.metrics.registry, {
      address,
      port: config.METRICS_PORT,
      onError: (err) => log.error('metrics_failed', { error: (err as Error).message }),
    })
  } catch (err) {
    throw bindError('METRICS_PORT', address, config.METRICS_PORT, err)
  }
}

async function syncPoliciesAtStart(rt: Runtime, dir: string): Promise<void> {
  try {
    await syncDir(rt, dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') rt.log.info('policies_dir_absent', { dir })
    else throw err
  }
}

/** The jobs one process of the cluster runs for all (the zone's heartbeat is per process). */
function sharedJobs(rt: Runtime, checker: DomainChecker | null, alerts: AlertDispatcher): Job[] {
  const { config } = rt
  return [
    {
      name: 'remove-retired-domains',
      schedule: '* * * * *',
      run: () => removeDueDomains(rt.deps),
    },
    // Proof of domain control: a bounded batch of pending claims per tick (each backs off as
    // it ages), then the claims whose time is up. Random delay spreads instances' DNS load.
    {
      name: 'check-domain-claims',
      schedule: '*/2 * * * *',
      run: async () => {
        await checkPendingClaims(rt.deps)
        await removeExpiredClaims(rt.deps)
      },
      maxRandomDelayMs: 30_000,
    },
    // Up to a minute of random delay spreads instances' CA traffic.
    {
      name: 'renew-certificates',
      schedule: config.RENEW_INTERVAL,
      run: () => rt.certs.runDue(),
      maxRandomDelayMs: 60_000,
    },
    ...checkJobs(checker, rt),
    // Dashboard sessions past their idle or absolute limit (refused anyway; this keeps the
    // table small).
    { name: 'prune-sessions', schedule: '17 * * * *', run: () => pruneSessions(rt.deps) },
    // Retries that came due, and anything a missed checks.changed left queued.
    { name: 'alerts', schedule: '* * * * *', run: () => alerts.tick() },
  ]
}

function zoneJobs(zone: RunningZone | null, rt: Runtime) {
  if (zone === null) return []
  // Every instance's own heartbeat and catch-up: not leased.
  return [
    {
      name: 'dns-zone',
      schedule: ZONE_TICK,
      run: () => zone.zone.tick(rt.deps.clock.now()),
      perInstance: true,
    },
  ]
}

/** The domain checker (issue 13), subscribed to the change feed; null with CHECKS=off. */
function startChecker(rt: Runtime): DomainChecker | null {
  if (rt.config.CHECKS === 'off') return null
  const checker = new DomainChecker({
    deps: rt.deps,
    log: rt.log,
    intervalMs: rt.config.CHECK_INTERVAL_HOURS * 3_600_000,
    tickMs: CHECK_TICK_MS,
    settleMs: 5_000,
  })
  rt.changes.subscribe((c) => checker.apply(c))
  return checker
}

function checkJobs(checker: DomainChecker | null, rt: Runtime) {
  if (checker === null) return []
  // Every minute a batch sized to come round once per CHECK_INTERVAL_HOURS; a random delay
  // spreads instances' lookups and probes.
  return [
    {
      name: 'check-domains',
      schedule: '* * * * *',
      run: () => checker.tick(rt.deps.clock.now()),
      maxRandomDelayMs: 20_000,
    },
  ]
}
