/**
 * http/: hono only. createApp(deps) builds the whole HTTP application with no listener, so tests
 * call app.request(). Requests are routed by Host: the service host (and loopback names) get the
 * admin API and /healthz; every other name is a customer host answered from the policy snapshot.
 * Handlers validate, call one service verb and map errors in errors.ts; they never touch the
 * database.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { hostFromHeader } from '../core/domain-name.js'
import type { Logger } from '../core/ports.js'
import type { ServiceDeps } from '../services/deps.js'
import type { AppEnv } from './env.js'
import { onError, problem } from './errors.js'
import { bearerAuth } from './middleware/bearer-auth.js'
import { requireJsonBody } from './middleware/json-body.js'
import { requestLog } from './middleware/request-log.js'
import { newRouter } from './openapi.js'
import { servePublic, type PolicyLookup } from './public.js'
import { domainSettingRoutes } from './routes/domain-settings.js'
import { domainRoutes } from './routes/domains.js'
import { tenantRoutes } from './routes/tenants.js'
import { tokenRoutes } from './routes/tokens.js'

export interface HttpDeps {
  services: ServiceDeps
  policies: PolicyLookup & { size: number }
  serviceHost: string
  bodyLimit: number
  policyCacheSeconds: number
  log: Logger
  newId: () => string
  version: string
}

/** Names on which the admin API answers besides SERVICE_HOST: local use only. */
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1']

export function createApp(deps: HttpDeps): Hono<AppEnv> {
  const adminHosts = new Set([deps.serviceHost, ...LOCAL_HOSTS])
  const app = new Hono<AppEnv>()
  app.onError(onError)
  app.use(requestLog(deps.log, deps.newId))
  app.use(async (c, next) => {
    const host = hostFromHeader(c.req.header('host'))
    if (host !== null && adminHosts.has(host)) return next()
    return servePublic(c, host, deps.policies, deps.policyCacheSeconds)
  })

  app.get('/healthz', (c) =>
    c.json({ status: 'ok', version: deps.version, policies: deps.policies.size }),
  )

  const api = newRouter()
  api.use(
    bodyLimit({
      maxSize: deps.bodyLimit,
      onError: (c) => problem(c, 413, `request body over ${deps.bodyLimit} bytes`),
    }),
  )
  api.use(requireJsonBody())
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'policyhost admin API',
      version: deps.version,
      description: 'Tenants, domains, MTA-STS policies, TLS-RPT settings and DNS records.',
    },
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
  app.route('/api/v1', api)

  app.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? problem(c, 404, 'no such endpoint')
      : c.text('not found\n', 404),
  )
  return app
}
