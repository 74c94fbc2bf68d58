/**
 * services/: the use cases, grouped by feature (domains/, mta-sts/, tls-rpt/, bimi/, certs/,
 * auth/, tenants/), one exported verb per use case, every query scoped by the caller's tenant;
 * engines/ holds the long-lived objects runtime/ starts (policy snapshot, logo cache, certificate
 * manager, rate limiter, health monitor). Shared by all: ServiceDeps here, tenant scoping in
 * scope.ts. They import core/ (rules, ports, errors) and each other only; adapters come in
 * through ServiceDeps, which runtime/open.ts builds.
 */
import type { Actor } from '../core/actor.js'
import { actorTenant } from '../core/actor.js'
import type { MarkCertificateInspector, SvgConverter, SvgValidator } from '../core/bimi/types.js'
import type { MailSender, WebhookSender } from '../core/alerts/alert-ports.js'
import type { MxProber, PolicyFetcher } from '../core/checks/check-ports.js'
import type { DnsResolver } from '../core/certs/types.js'
import type { Metrics } from '../core/metrics.js'
import type { Quotas } from '../core/quotas.js'
import type { StoreBounds } from '../core/tls-rpt/bound.js'
import type { HealthAggregator, RawReportReader, ReportProcessor } from '../core/tls-rpt/decoder.js'
import type { Sha256Hex } from '../core/mta-sts/policy-id.js'
import type { AuditEntry, Clock, Logger, Repos } from '../core/ports.js'
import type { SessionLimits } from '../core/web-sessions.js'
import type { RateLimiter } from './engines/rate-limit.js'

export interface ServiceDeps {
  /**
   * Each committed write publishes its change event (core/changes.ts) from the store itself:
   * services write and return, the in-memory views and the certificate manager follow.
   */
  repos: Repos
  clock: Clock
  log: Logger
  /** A new unique id (UUID) for rows. */
  newId: () => string
  /** A new high-entropy secret for API tokens. */
  newSecret: () => string
  sha256Hex: Sha256Hex
  serviceHost: string
  /**
   * `https://SERVICE_HOST[:port]`, the base of the report URL and logo URLs, and why those may
   * not work for outsiders (core/service-host.ts): shown at start, in records and in status.
   */
  service: { url: string; warnings: readonly string[] }
  /** Proof of domain control (issue 9): DOMAIN_VERIFICATION, claim lifetime, reserved names. */
  claims: { verification: 'dns' | 'off'; ttlMs: number; reserved: readonly string[] }
  /**
   * The delegated zone (DNS_ZONE), when this server runs one (issue 12): owners in `delegated`
   * mode CNAME their TXT names into it.
   */
  zone: { origin: string } | null
  /** DNS lookups for checks shown to tenants (DMARC for BIMI, the domain checker). */
  dns: DnsResolver
  /** The STARTTLS probe of MX hosts (issue 13); null when MX_PROBE=off. */
  prober: MxProber | null
  /** The policy fetched from outside as senders fetch it (issue 13); null when POLICY_FETCH=off. */
  policyFetcher: PolicyFetcher | null
  /** Alert webhooks (issue 13): the sender, and whether http: and private targets are allowed. */
  webhooks: { sender: WebhookSender; allowPrivate: boolean }
  /** Alert mail through the operator's relay (SMTP_URL); null when it is not configured. */
  mail: { sender: MailSender } | null
  /**
   * Alerts sent on a tenant's request (test alerts, contact confirmation codes), per tenant and
   * hour: each goes to an address the tenant chose, so it must not become a mail cannon.
   */
  requestedAlerts: RateLimiter
  /**
   * SVG Tiny PS validation, conversion (svgo) and mark certificate inspection (X.509): tenant
   * input, so the server runs them in its worker pool, queued per owner (issue 9 point 2).
   */
  bimi: { convert: SvgConverter; validate: SvgValidator; inspectVmc: MarkCertificateInspector }
  /** TLS report bytes → a validated report (off the serving loop); gzip for raw storage. */
  tlsrpt: {
    process: ReportProcessor
    health: HealthAggregator
    gzip: (bytes: Uint8Array) => Uint8Array
    rawText: RawReportReader
  }
  /** Dashboard sessions (issue 14): SESSION_IDLE_MINUTES and SESSION_MAX_HOURS, in ms. */
  sessions: SessionLimits
  /** The checker's thresholds from config (TLSRPT_ALERT_FAILURE_PERCENT). */
  checkRules: { tlsRptFailurePercent: number }
  /** What is counted for `/metrics` (noMetrics where nothing scrapes). */
  metrics: Metrics
  /** Quota defaults from config; the operator's per-tenant overrides are in the database. */
  quotas: Quotas
  /** How much of a TLS report is stored: the bounded parsed form, and the raw (gzip) cap. */
  reportStore: StoreBounds & { maxRawBytes: number }
}

/** Builds the audit row for a change made by `actor`. */
export function auditOf(
  deps: Pick<ServiceDeps, 'clock'>,
  actor: Actor,
  action: string,
  subject: string,
  detail?: Record<string, unknown>,
  tenantId: string | null = actorTenant(actor),
): AuditEntry {
  return { at: deps.clock.now(), tenantId, actorTokenId: actor.tokenId, action, subject, detail }
}
