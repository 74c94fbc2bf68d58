/**
 * ServiceDeps from config and the adapters open.ts built: the one place config becomes what the
 * services see (quotas, claim rules, report bounds). Service tests build theirs here too, on an
 * in-memory database, so they run on the same wiring as the server.
 */
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import type { Config } from '../config.js'
import type { DnsResolver } from '../core/certs/types.js'
import { noMetrics, type Metrics } from '../core/metrics.js'
import type { Clock, Logger, Repos } from '../core/ports.js'
import { newId, newSecret, sha256Hex } from '../adapters/crypto/secrets.js'
import { policyFetcher } from '../adapters/mta-sts/policy-fetcher-port.js'
import { mxProber } from '../adapters/smtp/mx-prober.js'
import { mailSender } from '../adapters/mail/mail-sender.js'
import { webhookSender } from '../adapters/webhooks/webhook-sender.js'
import type { TenantWorkPorts } from '../adapters/workers/ports.js'
import type { ServiceDeps } from '../services/deps.js'
import { RateLimiter } from '../services/engines/rate-limit.js'

/** One outside policy fetch of a check: senders wait about a minute; a check need not. */
const POLICY_FETCH_TIMEOUT_MS = 30_000
/** Each of connect, greeting and an idle socket to the relay: a relay is near and quick. */
const MAIL_TIMEOUT_MS = 30_000
/** Test alerts and confirmation codes a tenant may ask for per hour (each instance counts). */
const REQUESTED_ALERTS_PER_HOUR = 10

export interface ServiceParts {
  repos: Repos
  clock: Clock
  log: Logger
  dns: DnsResolver
  /** Tenant work: the worker pool's ports in the server, in-process ones elsewhere. */
  work: TenantWorkPorts
  serviceUrl: string
  serviceWarnings: readonly string[]
  /** The server's Prometheus registry (METRICS_PORT); nothing is counted without it. */
  metrics?: Metrics
}

const pemOf = (file: string | undefined): string | undefined =>
  file === undefined ? undefined : readFileSync(file, 'utf8')

/** MX_PROBE_TIMEOUT_SECONDS: greeting and each step; connect at most 10 s; all of it twice. */
const probeTimeouts = (seconds: number) => ({
  connectMs: Math.min(seconds, 10) * 1000,
  bannerMs: seconds * 1000,
  stepMs: seconds * 1000,
  totalMs: 2 * seconds * 1000,
})

export function serviceDeps(config: Config, parts: ServiceParts): ServiceDeps {
  const { repos, clock, log, dns, work } = parts
  return {
    repos,
    clock,
    log,
    newId,
    newSecret,
    sha256Hex,
    serviceHost: config.SERVICE_HOST,
    service: { url: parts.serviceUrl, warnings: parts.serviceWarnings },
    claims: {
      verification: config.DOMAIN_VERIFICATION,
      ttlMs: config.DOMAIN_CLAIM_TTL_HOURS * 3_600_000,
      reserved: config.RESERVED_DOMAINS,
    },
    zone: config.DNS_ZONE === undefined ? null : { origin: config.DNS_ZONE },
    dns,
    prober:
      config.MX_PROBE === 'off'
        ? null
        : mxProber({
            port: config.MX_PROBE_PORT,
            ca: pemOf(config.MX_PROBE_CA_FILE),
            ehloName: config.SERVICE_HOST,
            concurrency: config.MX_PROBE_CONCURRENCY,
            timeouts: probeTimeouts(config.MX_PROBE_TIMEOUT_SECONDS),
          }),
    policyFetcher:
      config.POLICY_FETCH === 'off'
        ? null
        : policyFetcher({
            timeoutMs: POLICY_FETCH_TIMEOUT_MS,
            ca: pemOf(config.POLICY_FETCH_CA_FILE),
          }),
    webhooks: {
      sender: webhookSender({
        allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE,
        timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
        userAgent: `policyhost (+https://${config.SERVICE_HOST})`,
      }),
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    },
    mail:
      config.SMTP_URL === undefined
        ? null
        : {
            sender: mailSender({
              url: config.SMTP_URL,
              from: config.ALERT_MAIL_FROM ?? `policyhost <alerts@${config.SERVICE_HOST}>`,
              messageIdDomain: config.SERVICE_HOST,
              timeoutMs: MAIL_TIMEOUT_MS,
            }),
          },
    checkRules: { tlsRptFailurePercent: config.TLSRPT_ALERT_FAILURE_PERCENT },
    sessions: {
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
      maxMs: config.SESSION_MAX_HOURS * 3_600_000,
    },
    requestedAlerts: new RateLimiter(REQUESTED_ALERTS_PER_HOUR, 3_600_000),
    metrics: parts.metrics ?? noMetrics,
    bimi: work.bimi,
    tlsrpt: {
      process: work.process,
      health: work.health,
      gzip: (b) => gzipSync(b),
      rawText: work.rawText,
    },
    quotas: {
      domainsPerTenant: config.QUOTA_DOMAINS_PER_TENANT,
      selectorsPerDomain: config.QUOTA_SELECTORS_PER_DOMAIN,
      logosPerDomain: config.QUOTA_LOGOS_PER_DOMAIN,
      logoBytesPerDomain: config.QUOTA_LOGO_BYTES_PER_DOMAIN,
      tlsrptReportsPerDomainDay: config.TLSRPT_REPORTS_PER_DOMAIN_DAY,
      tlsrptBytesPerDomainDay: config.TLSRPT_BYTES_PER_DOMAIN_DAY,
    },
    reportStore: {
      policies: config.TLSRPT_STORED_POLICIES,
      detailsPerPolicy: config.TLSRPT_STORED_DETAILS,
      parsedBytes: config.TLSRPT_STORED_PARSED_BYTES,
      maxRawBytes: config.TLSRPT_MAX_BYTES,
    },
  }
}
