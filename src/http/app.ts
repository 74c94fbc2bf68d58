/**
 * http/: hono, plus one node:http handler in front of it for the hot request (a policy GET,
 * policy-fast-path.ts). createApp(deps, listener) builds the HTTP application with no socket, so
 * tests call app.request(). Requests are routed by Host: the service host (and loopback names)
 * get the admin API, /healthz and /readyz; every other name is a customer host.
 * - HTTPS: customer hosts get their policy (from the in-memory snapshot); the admin API.
 * - HTTP: ACME HTTP-01 answers on any host; /healthz, /readyz; the admin API only to a loopback
 *   peer under a loopback name (tokens never cross the network in clear); never a policy
 *   (RFC 8461 §3.3: HTTPS only).
 * - Both: one Host header; over HTTPS it must name the connection's SNI (host-guard.ts).
 * Handlers validate, call one service verb and map errors in errors.ts.
 */
import { Hono } from 'hono'
import { hostFromHeader } from '../core/domain-name.js'
import { noMetrics, type Metrics } from '../core/metrics.js'
import type { Logger } from '../core/ports.js'
import { challengeAnswer } from '../services/certs/acme-challenge.js'
import type { ServiceDeps } from '../services/deps.js'
import type { LogoFiles } from '../services/engines/logo-serving.js'
import type { IntakeLimits } from '../services/tls-rpt/report-intake.js'
import type { AppEnv } from './env.js'
import { onError, problem } from './errors.js'
import { bearerAuth } from './middleware/bearer-auth.js'
import { bodyRules } from './middleware/body-rules.js'
import { hostGuard } from './middleware/host-guard.js'
import { requestLog } from './middleware/request-log.js'
import { requestMetrics } from './middleware/request-metrics.js'
import { newRouter } from './openapi.js'
import { isLoopback, peerOf } from './peer.js'
import { serveLogoFile } from './logos.js'
import { servePublic, type PolicyLookup } from './public.js'
import { BIMI_BODY_RULES, bimiRoutes } from './routes/bimi.js'
import { domainSettingRoutes } from './routes/domain-settings.js'
import { domainCheckRoutes } from './routes/domain-checks.js'
import { dashboardRoutes } from './dashboard/dashboard.js'
import { alertContactRoutes } from './routes/alert-contacts.js'
import { webhookRoutes } from './routes/webhooks.js'
import { domainDnsRoutes } from './routes/domain-dns.js'
import { domainStatusRoutes } from './routes/domain-status.js'
import { reportIntakeRoutes } from './routes/report-intake.js'
import { tlsReportRoutes } from './routes/tls-reports.js'
import { domainRoutes } from './routes/domains.js'
import { healthRoutes, type HealthSource } from './routes/health.js'
import { tenantRoutes } from './routes/tenants.js'
import { tokenRoutes } from './routes/tokens.js'

export interface HttpDeps {
  services: ServiceDeps
  policies: PolicyLookup & { size: number; logoDomainOf(hostname: string): string | null }
  logos: LogoFiles
  reports: IntakeLimits & { maxBytes: number }
  serviceHost: string
  bodyLimit: number
  policyCacheSeconds: number
  log: Logger
  /** Ids for requests that bring no sane X-Request-Id (unique, not secret). */
  newRequestId: () => string
  version: string
  health: HealthSource
  /** Answered requests and policy timings for `/metrics` (noMetrics without METRICS_PORT). */
  metrics: Metrics
}

/** Names on which the admin API answers besides SERVICE_HOST: local use only. */
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1']

export type Listener = 'https' | 'http'

export function createApp(deps: HttpDeps, listener: Listener = 'https'): Hono<AppEnv> {
  const adminHosts = new Set([deps.serviceHost, ...LOCAL_HOSTS])
  const app = new Hono<AppEnv>()
  app.onError(onError)
  // Without METRICS_PORT nothing is counted, and requests pay nothing for it.
  if (deps.metrics !== noMetrics) {
    app.use(requestMetrics(deps.metrics, { adminHosts, policies: deps.policies }))
  }
  app.use(requestLog(deps.log, deps.newRequestId))
  app.use(hostGuard())
  if (listener === 'http') {
    app.get('/.well-known/acme-challenge/:token', async (c) => {
      const answer = await challengeAnswer(deps.services, c.req.param('token'))
      return answer === null ? c.text('not found\n', 404) : c.text(answer, 200)
    })
  }
  app.use(async (c, next) => {
    const host = hostFromHeader(c.req.header('host'))
    if (host !== null && adminHosts.has(host)) {
      // Tokens never cross the network in clear: over plain HTTP the admin API answers only a
      // loopback peer (the socket's address, which a client cannot choose like a Host header),
      // and only under a loopback name, so a local proxy forwarding the service name stays out.
      const local = LOCAL_HOSTS.includes(host) && isLoopback(peerOf(c))
      if (listener === 'http' && c.req.path.startsWith('/api/') && !local) {
        return problem(
          c,
          404,
          `the admin API is served over HTTPS only: ${deps.services.service.url}/api/v1`,
        )
      }
      return next()
    }
    if (listener === 'http') return c.text('not found\n', 404)
    const logoDomain = host === null ? null : deps.policies.logoDomainOf(host)
    if (logoDomain !== null) {
      // A logo host serves /<selector>.svg and /<selector>.pem, nothing else.
      const file = c.req.path.slice(1)
      return file.includes('/')
        ? c.text('not found\n', 404)
        : serveLogoFile(c, deps.logos, logoDomain, file, true)
    }
    return servePublic(c, host, deps.policies, deps.policyCacheSeconds)
  })

  if (listener === 'https') {
    app.route('/tlsrpt', reportIntakeRoutes(deps.services, deps.reports))
    app.on(['GET', 'HEAD'], '/logos/:domain/:file', (c) =>
      serveLogoFile(c, deps.logos, c.req.param('domain'), c.req.param('file'), false),
    )
  }

  app.route('/', healthRoutes(deps.health, deps.version))

  const api = newRouter()
  api.use(bodyRules(BIMI_BODY_RULES, deps.bodyLimit))
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'policyhost admin API',
      version: deps.version,
      description:
        'Tenants, domains, MTA-STS policies, TLS-RPT settings, BIMI logos and DNS records.',
    },
    // The paths below are relative to this base (the API is mounted at /api/v1).
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
  })
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
  })
  api.use(bearerAuth(deps.services))
  api.route('/', tenantRoutes(deps.services))
  api.route('/', tokenRoutes(deps.services))
  api.route('/', domainRoutes(deps.services))
  api.route('/', domainSettingRoutes(deps.services))
  api.route('/', domainDnsRoutes(deps.services))
  api.route('/', domainStatusRoutes(deps.services))
  api.route('/', domainCheckRoutes(deps.services))
  api.route('/', webhookRoutes(deps.services))
  api.route('/', alertContactRoutes(deps.services))
  api.route('/', bimiRoutes(deps.services))
  api.route('/', tlsReportRoutes(deps.services))
  app.route('/api/v1', api)
  // The web dashboard: on the service host, over HTTPS only (its cookie is Secure).
  if (listener === 'https') app.route('/', dashboardRoutes(deps.services))

  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? problem(c, 404, 'no such endpoint')
      : c.text('not found\n', 404),
  )
  return app
}
