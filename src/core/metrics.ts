/**
 * What the service counts for `/metrics` (issue 13). A port: the Prometheus registry
 * (adapters/metrics/registry.ts) implements it in the server; everything else gets `noMetrics`.
 * Contract: every method is synchronous, cheap (a map update) and never throws — callers count
 * on the serving path and must not be slowed or failed by it. Label values are mapped onto fixed
 * lists by the implementation, so callers may pass stranger text (a result type from a report).
 */
export interface Metrics {
  /** One answered request; `domain` is a hosted name (kept only with METRICS_PER_DOMAIN). */
  countHttpRequest(hostClass: string, status: number, domain?: string): void
  /** Time to answer one MTA-STS policy request. */
  observePolicyFetch(seconds: number): void
  /** One SNI secure-context lookup: from the cache, or built. */
  countSniCache(hit: boolean): void
  /** One finished ACME order. */
  countAcmeOrder(result: 'ok' | 'failed'): void
  /** One accepted TLS-RPT report and its failed sessions by result type. */
  countTlsRptReport(report: {
    domain?: string
    failures: readonly { resultType: string; sessions: number }[]
  }): void
  /** One check of a run: `ok` without findings, else the worst finding's severity. */
  countCheck(kind: string, result: 'ok' | 'warning' | 'error', domain?: string): void
  /** One alert delivery attempt. */
  countAlertDelivery(channel: 'webhook' | 'mail', result: 'ok' | 'failed'): void
}

const nothing = (): void => undefined

/** Counts nothing: CLI commands, tests, a server without METRICS_PORT. */
export const noMetrics: Metrics = {
  countHttpRequest: nothing,
  observePolicyFetch: nothing,
  countSniCache: nothing,
  countAcmeOrder: nothing,
  countTlsRptReport: nothing,
  countCheck: nothing,
  countAlertDelivery: nothing,
}
