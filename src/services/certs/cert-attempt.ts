import { nextAttemptAt, jitterFraction, renewAt } from '../../core/certs/renewal.js'
import { preflightVerdict, type PreflightVerdict } from '../../core/certs/preflight.js'
import type {
  CertificateBundle,
  CertState,
  CertStore,
  DnsResolver,
  Issuer,
} from '../../core/certs/types.js'
import type { ChangePublisher } from '../../core/changes.js'
import { noMetrics, type Metrics } from '../../core/metrics.js'
import type { Clock, Logger, Repos } from '../../core/ports.js'

export interface CertDeps {
  repos: Pick<Repos, 'certs'>
  store: CertStore
  issuer: Issuer
  dns: DnsResolver
  clock: Clock
  log: Logger
  serviceHost: string
  publicAddresses: string[]
  /** False for the local CA: it has no rate limits and needs no public DNS. */
  preflight: boolean
  /** Deadline for one order, so a stuck CA never holds a slot forever. */
  orderTimeoutMs: number
  /**
   * Where `certificate.stored` is published (a new bundle, or null serial: the hostname lost its
   * certificate): bundles are written to the certificate store, not the repositories, so the
   * certificate manager publishes these itself, after the state row is committed.
   */
  changes: ChangePublisher
  /** Where finished ACME orders are counted (`/metrics`); default: nowhere. */
  metrics?: Pick<Metrics, 'countAcmeOrder'>
}

/** Publishes that `hostname` now has `bundle` (or, null, no certificate). */
export function certificateStored(
  d: Pick<CertDeps, 'changes'>,
  hostname: string,
  bundle: CertificateBundle | null,
): Promise<void> {
  return d.changes.publish({ type: 'certificate.stored', hostname, serial: bundle?.serial ?? null })
}

export type AttemptOutcome = 'obtained' | 'renewed' | 'dns_pending' | 'failed'

/** Longest stored error text: enough for a CA's problem detail, bounded for the API. */
const MAX_ERROR = 500

/** A fresh state row for a hostname that has never been tried. */
export function pendingState(hostname: string, now: Date): CertState {
  return {
    hostname,
    status: 'pending',
    issuerName: null,
    serial: null,
    issuer: null,
    notBefore: null,
    notAfter: null,
    renewAt: null,
    dueAt: now,
    failures: 0,
    lastError: null,
    lastAttemptAt: null,
    dnsStatus: null,
    dnsDetail: null,
    updatedAt: now,
  }
}

async function preflight(d: CertDeps, hostname: string): Promise<PreflightVerdict> {
  try {
    const [cnames, addresses, ours] = await Promise.all([
      d.dns.cname(hostname),
      d.dns.addresses(hostname),
      d.dns.addresses(d.serviceHost),
    ])
    const target = { serviceHost: d.serviceHost, addresses: [...d.publicAddresses, ...ours] }
    return preflightVerdict(hostname, { cnames, addresses }, target)
  } catch (err) {
    return { ok: false, detail: `DNS lookup failed: ${(err as Error).message}` }
  }
}

/** State after a certificate was stored: renewal scheduled, failures forgotten. */
export function issuedState(
  state: CertState,
  b: CertificateBundle,
  issuerName: string,
  now: Date,
): CertState {
  const at = renewAt(b, jitterFraction(`${b.hostname}|${b.serial}`))
  return {
    ...state,
    status: 'ok',
    issuerName,
    serial: b.serial,
    issuer: b.issuer,
    notBefore: b.notBefore,
    notAfter: b.notAfter,
    renewAt: at,
    dueAt: at,
    failures: 0,
    lastError: null,
    updatedAt: now,
  }
}

function failedState(
  state: CertState,
  status: 'failed' | 'dns_pending',
  error: string,
  now: Date,
): CertState {
  const failures = state.failures + 1
  const current =
    state.notBefore && state.notAfter
      ? { notBefore: state.notBefore, notAfter: state.notAfter }
      : null
  const dueAt = nextAttemptAt(now, failures, jitterFraction(state.hostname), current)
  return { ...state, status, failures, lastError: error.slice(0, MAX_ERROR), dueAt, updatedAt: now }
}

/**
 * One issuance attempt for a hostname whose lease the caller holds: DNS preflight, order,
 * atomic store, state. Never throws: a failure is recorded with its backoff, and the current
 * certificate (if any) keeps being served.
 */
export async function attemptIssue(d: CertDeps, hostname: string): Promise<AttemptOutcome> {
  const started = d.clock.now()
  let state = (await d.repos.certs.get(hostname)) ?? pendingState(hostname, started)
  state = { ...state, lastAttemptAt: started }
  if (d.preflight) {
    const verdict = await preflight(d, hostname)
    state = { ...state, dnsStatus: verdict.ok ? 'ok' : 'pending', dnsDetail: verdict.detail }
    if (!verdict.ok) {
      const next = failedState(state, 'dns_pending', verdict.detail, started)
      await d.repos.certs.save(next)
      d.log.warn('cert_dns_pending', {
        hostname,
        detail: verdict.detail,
        nextAttemptAt: next.dueAt.toISOString(),
      })
      return 'dns_pending'
    }
  }
  const renewal = state.serial !== null
  // Monotonic: the injected clock is for decisions, not for measuring how long an order took.
  const t0 = performance.now()
  d.log.info('cert_obtaining', { hostname, issuer: d.issuer.name, renewal })
  const metrics = d.metrics ?? noMetrics
  let ordered = false
  try {
    const bundle = await d.issuer.issue(hostname, AbortSignal.timeout(d.orderTimeoutMs))
    ordered = true
    metrics.countAcmeOrder('ok')
    await d.store.write(bundle)
    const now = d.clock.now()
    await d.repos.certs.save(issuedState(state, bundle, d.issuer.name, now))
    await certificateStored(d, hostname, bundle)
    d.log.info(renewal ? 'cert_renewed' : 'cert_obtained', {
      hostname,
      serial: bundle.serial,
      notAfter: bundle.notAfter.toISOString(),
      ms: Math.round(performance.now() - t0),
    })
    return renewal ? 'renewed' : 'obtained'
  } catch (err) {
    // The order itself failed, not the store or the database after it (logged below either way).
    if (!ordered) metrics.countAcmeOrder('failed')
    const error = (err as Error).message || String(err)
    const next = failedState(state, 'failed', error, d.clock.now())
    await d.repos.certs.save(next)
    d.log.error('cert_failed', {
      hostname,
      error: next.lastError,
      failures: next.failures,
      nextAttemptAt: next.dueAt.toISOString(),
    })
    return 'failed'
  }
}
