import type { MiddlewareHandler } from 'hono'
import { hostFromHeader } from '../../core/domain-name.js'
import type { Metrics } from '../../core/metrics.js'
import type { AppEnv } from '../env.js'
import { POLICY_PATH, type PolicyLookup } from '../public.js'

/** What a request was for, as `/metrics` counts it (the registry's fixed host classes). */
export type RequestClass = 'policy' | 'logo' | 'service' | 'report' | 'other'

export interface ClassifyOptions {
  /** SERVICE_HOST and the loopback names the admin API answers on. */
  adminHosts: ReadonlySet<string>
  policies: PolicyLookup & { logoDomainOf(hostname: string): string | null }
}

/** The report intake's mount point on the service host (routes/report-intake.ts). */
const REPORT_PREFIX = '/tlsrpt/'
/** Shared logo URLs on the service host (logos.ts). */
const LOGO_PREFIX = '/logos/'
const POLICY_LABEL = 'mta-sts.'

/** RFC 8461 §3.2: the policy host is `mta-sts.` prepended to the policy domain. */
export function policyDomainOf(host: string): string {
  return host.startsWith(POLICY_LABEL) ? host.slice(POLICY_LABEL.length) : host
}

/**
 * The class of a request by its canonical Host and path, and the hosted domain it concerns.
 * A domain is named only for hosts we serve, never taken from a stranger's Host header, so
 * per-domain series stay bounded by the hosted domains.
 */
export function classifyRequest(
  host: string | null,
  path: string,
  o: ClassifyOptions,
): { requestClass: RequestClass; domain?: string } {
  if (host === null) return { requestClass: 'other' }
  if (o.adminHosts.has(host)) {
    if (path.startsWith(REPORT_PREFIX)) return { requestClass: 'report' }
    if (path.startsWith(LOGO_PREFIX)) return { requestClass: 'logo' }
    return { requestClass: 'service' }
  }
  const logoDomain = o.policies.logoDomainOf(host)
  if (logoDomain !== null) return { requestClass: 'logo', domain: logoDomain }
  if (o.policies.lookup(host) !== undefined) {
    return { requestClass: 'policy', domain: policyDomainOf(host) }
  }
  return { requestClass: 'other' }
}

/** Seconds since `started` (a process.hrtime.bigint() reading). */
export const secondsSince = (started: bigint): number =>
  Number(process.hrtime.bigint() - started) / 1e9

/**
 * Counts every answered request by class and status once it is answered (errors included: the
 * app's onError has set the response by then), and times policy requests. The policy fast path
 * (policy-fast-path.ts) counts its own, which never reach this app.
 */
export function requestMetrics(metrics: Metrics, o: ClassifyOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = process.hrtime.bigint()
    const { requestClass, domain } = classifyRequest(
      hostFromHeader(c.req.header('host')),
      c.req.path,
      o,
    )
    await next()
    metrics.countHttpRequest(requestClass, c.res.status, domain)
    if (requestClass === 'policy' && c.req.path === POLICY_PATH) {
      metrics.observePolicyFetch(secondsSince(started))
    }
  }
}
