/**
 * Prometheus metrics for one policyhost process, in a registry of its own (never prom-client's
 * global one, so tests and several servers in one process do not share series). Every label
 * value is mapped onto a fixed list (labels.ts), so no request, report or tenant can grow the
 * number of series; the only open-ended labels (`domain`, `hostname`) exist with `perDomain`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { CertState } from '../../core/certs/types.js'
import {
  ALERT_CHANNELS,
  CERT_STATES,
  CHECK_RESULTS,
  FAILURE_RESULT_TYPES,
  HOST_CLASSES,
  OUTCOMES,
  STATUS_CLASSES,
  failureResultType,
  hostClass,
  pairs,
  pick,
  statusClass,
  type AlertChannel,
  type CheckResult,
  type Outcome,
} from './labels.js'

/** What the certificate metrics read at scrape time: `CertState` rows fit as they are. */
export type CertificateSnapshot = Pick<CertState, 'hostname' | 'status' | 'notAfter'>
export type CertificateSource = () =>
  readonly CertificateSnapshot[] | Promise<readonly CertificateSnapshot[]>

/** One parsed TLS-RPT report, reduced to what the metrics count. */
export interface TlsRptReportCount {
  /** The reported policy domain; used only when `perDomain` is on. */
  domain?: string
  failures: readonly { resultType: string; sessions: number }[]
}

export interface MetricsOptions {
  /** Adds `domain`/`hostname` labels: one series per hosted name, so meant for small fleets. */
  perDomain: boolean
  /** The check kinds the health checks run; any other kind is counted as `other`. */
  checkKinds?: readonly string[]
  /** prom-client's process and Node.js metrics, prefixed `policyhost_` (default on). */
  defaultMetrics?: boolean
  /** Clock for telling expired certificates apart (ms since the epoch). */
  now?: () => number
}

export interface PolicyhostMetrics {
  readonly registry: Registry
  /** Counts one answered request; `domain` only when perDomain (a hosted name, not a raw Host). */
  countHttpRequest(hostClass: string, status: number, domain?: string): void
  /** Records how long serving one MTA-STS policy took. */
  observePolicyFetch(seconds: number): void
  /** Counts one SNI secure-context cache lookup. */
  countSniCache(hit: boolean): void
  /** Counts one finished ACME order. */
  countAcmeOrder(result: Outcome): void
  /** Counts one accepted TLS-RPT report and its failed sessions by result type. */
  countTlsRptReport(report: TlsRptReportCount): void
  /** Counts one finished check. */
  countCheck(kind: string, result: CheckResult, domain?: string): void
  /** Counts one alert delivery attempt. */
  countAlertDelivery(channel: AlertChannel, result: Outcome): void
  /** Sets where certificate metrics come from; read on every scrape, so nothing goes stale. */
  setCertificateSource(source: CertificateSource): void
  /** Drops every per-domain series of a removed domain (no-op unless perDomain). */
  forgetDomain(domain: string): Promise<void>
}

/**
 * Policy serving is an in-memory lookup (tens of µs) that should never approach a second; the
 * buckets span 0.1 ms to 1 s at roughly 1-2.5-5 steps so p99 stays readable across that range.
 */
const POLICY_FETCH_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
]

/** Builds the registry and its metrics; see PolicyhostMetrics for the recording side. */
export function createMetrics(opts: MetricsOptions): PolicyhostMetrics {
  const registry = new Registry()
  const registers = [registry]
  const perDomain = opts.perDomain
  const now = opts.now ?? Date.now
  const checkKinds = [...new Set([...(opts.checkKinds ?? []), 'other'])]
  const withDomain = (names: string[]): string[] => (perDomain ? [...names, 'domain'] : names)
  const domainLabel = (domain: string | undefined): { domain?: string } =>
    perDomain ? { domain: (domain ?? '').toLowerCase() } : {}
  let certificates: CertificateSource = () => []
  // The certificate gauges collect side by side in one scrape: one read of the store serves all.
  let reading: Promise<readonly CertificateSnapshot[]> | null = null
  const certificateRows = (): Promise<readonly CertificateSnapshot[]> => {
    reading ??= Promise.resolve(certificates()).finally(() => {
      reading = null
    })
    return reading
  }

  const httpRequests = new Counter({
    name: 'policyhost_http_requests_total',
    help: 'HTTP requests answered, by kind of host and status class.',
    labelNames: withDomain(['host_class', 'status']),
    registers,
  })
  const policyFetch = new Histogram({
    name: 'policyhost_policy_fetch_duration_seconds',
    help: 'Time to answer one MTA-STS policy request.',
    buckets: POLICY_FETCH_BUCKETS,
    registers,
  })
  const sniHits = new Counter({
    name: 'policyhost_sni_cache_hits_total',
    help: 'TLS handshakes whose secure context came from the SNI cache.',
    registers,
  })
  const sniMisses = new Counter({
    name: 'policyhost_sni_cache_misses_total',
    help: 'TLS handshakes whose secure context had to be built.',
    registers,
  })
  const acmeOrders = new Counter({
    name: 'policyhost_acme_orders_total',
    help: 'ACME orders finished, by result.',
    labelNames: ['result'],
    registers,
  })
  const tlsrptReports = new Counter({
    name: 'policyhost_tlsrpt_reports_total',
    help: 'TLS-RPT reports accepted.',
    labelNames: withDomain([]),
    registers,
  })
  const tlsrptFailed = new Counter({
    name: 'policyhost_tlsrpt_failed_sessions_total',
    help: 'Failed sessions in accepted TLS-RPT reports, by RFC 8460 result type.',
    labelNames: withDomain(['result_type']),
    registers,
  })
  const checks = new Counter({
    name: 'policyhost_checks_total',
    help: 'Checks finished, by kind and result.',
    labelNames: withDomain(['kind', 'result']),
    registers,
  })
  const alerts = new Counter({
    name: 'policyhost_alert_deliveries_total',
    help: 'Alert delivery attempts, by channel and result.',
    labelNames: ['channel', 'result'],
    registers,
  })

  // Known label combinations start at 0, so rate() and absent-series alerts work from the start.
  for (const result of OUTCOMES) acmeOrders.inc({ result }, 0)
  for (const [channel, result] of pairs(ALERT_CHANNELS, OUTCOMES))
    alerts.inc({ channel, result }, 0)
  if (!perDomain) {
    for (const [h, s] of pairs(HOST_CLASSES, STATUS_CLASSES)) {
      httpRequests.inc({ host_class: h, status: s }, 0)
    }
    for (const t of FAILURE_RESULT_TYPES) tlsrptFailed.inc({ result_type: t }, 0)
    for (const [kind, result] of pairs(checkKinds, CHECK_RESULTS)) checks.inc({ kind, result }, 0)
  }

  // The certificate gauges read the shared store, so with WORKERS > 1 every worker reports the
  // same values: the primary's aggregate takes one (`first`) rather than the sum.
  if (perDomain) {
    // Rebuilt from the source on every scrape: a removed host simply is not in the next one.
    new Gauge({
      name: 'certificate_expiration_timestamp_seconds',
      aggregator: 'first',
      help: 'The date after which the certificate expires, as a Unix timestamp.',
      labelNames: ['hostname'],
      registers,
      async collect() {
        const rows = await certificateRows()
        this.reset()
        for (const row of rows) {
          if (row.notAfter !== null) this.set({ hostname: row.hostname }, seconds(row.notAfter))
        }
      },
    })
  } else {
    new Gauge({
      name: 'policyhost_certificates',
      aggregator: 'first',
      help: 'Certificates by state (expired: past notAfter, whatever the last attempt said).',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows = await certificateRows()
        const at = now()
        for (const state of CERT_STATES) this.set({ state }, 0)
        for (const row of rows) {
          const expired = row.notAfter !== null && row.notAfter.getTime() <= at
          this.inc({ state: expired ? 'expired' : pick(row.status, CERT_STATES, 'failed') })
        }
      },
    })
    new Gauge({
      name: 'policyhost_certificate_expiry_min_seconds',
      aggregator: 'first',
      help: 'The soonest notAfter across all certificates, as a Unix timestamp.',
      registers,
      async collect() {
        const rows = await certificateRows()
        const times = rows.flatMap((r) => (r.notAfter === null ? [] : [r.notAfter.getTime()]))
        // With no certificate there is no soonest expiry: no sample, rather than a 0 (= 1970)
        // that would fire every "expires soon" alert.
        if (times.length === 0) this.remove({})
        else this.set(seconds(new Date(Math.min(...times))))
      },
    })
  }

  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'policyhost_' })
    // These gauges break the "_total means counter" convention (promtool rejects them); each
    // is the sum of its by-type sibling (`…_active_handles{type}`), so nothing is lost.
    for (const kind of ['handles', 'requests', 'resources']) {
      registry.removeSingleMetric(`policyhost_nodejs_active_${kind}_total`)
    }
  }

  const perDomainCounters = [httpRequests, tlsrptReports, tlsrptFailed, checks]

  return {
    registry,
    countHttpRequest(host, status, domain) {
      httpRequests.inc({
        host_class: hostClass(host),
        status: statusClass(status),
        ...domainLabel(domain),
      })
    },
    observePolicyFetch(s) {
      policyFetch.observe(s)
    },
    countSniCache(hit) {
      ;(hit ? sniHits : sniMisses).inc()
    },
    countAcmeOrder(result) {
      acmeOrders.inc({ result: pick(result, OUTCOMES, 'failed') })
    },
    countTlsRptReport(report) {
      const d = domainLabel(report.domain)
      tlsrptReports.inc(d)
      for (const f of report.failures) {
        // Reports are stranger input: a negative or non-finite count would make the counter throw.
        if (Number.isFinite(f.sessions) && f.sessions > 0) {
          tlsrptFailed.inc({ result_type: failureResultType(f.resultType), ...d }, f.sessions)
        }
      }
    },
    countCheck(kind, result, domain) {
      const labels = { kind: pick(kind, checkKinds, 'other'), ...domainLabel(domain) }
      checks.inc({ ...labels, result: pick(result, CHECK_RESULTS, 'error') })
    },
    countAlertDelivery(channel, result) {
      alerts.inc({ channel, result: pick(result, OUTCOMES, 'failed') })
    },
    setCertificateSource(source) {
      certificates = source
    },
    async forgetDomain(domain) {
      if (!perDomain) return
      const name = domain.toLowerCase()
      for (const counter of perDomainCounters) {
        const { values } = await counter.get()
        for (const v of values) if (v.labels.domain === name) counter.remove(v.labels)
      }
    },
  }
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000)
}
