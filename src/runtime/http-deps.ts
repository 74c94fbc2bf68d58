/**
 * What the HTTP application needs from an opened runtime: services, the served views, the
 * report limits and the health source. serve.ts hands it to both listeners; route tests hand it
 * to createApp() and call app.request() with no socket.
 */
import { requestIds } from '../adapters/crypto/request-ids.js'
import type { HttpDeps } from '../http/app.js'
import type { HealthSource } from '../http/routes/health.js'
import { RateLimiter } from '../services/engines/rate-limit.js'
import { VERSION, type Runtime } from './open.js'

export function httpDepsOf(rt: Runtime, health: HealthSource): HttpDeps {
  const { config } = rt
  return {
    services: rt.deps,
    policies: rt.snapshot,
    logos: rt.logos,
    reports: {
      maxBytes: config.TLSRPT_MAX_BYTES,
      maxDecompressed: config.TLSRPT_MAX_DECOMPRESSED,
      perSource: new RateLimiter(config.TLSRPT_RATE_PER_SOURCE),
      perTenant: new RateLimiter(config.TLSRPT_RATE_PER_TENANT),
    },
    serviceHost: config.SERVICE_HOST,
    bodyLimit: config.API_BODY_LIMIT,
    policyCacheSeconds: config.POLICY_CACHE_SECONDS,
    log: rt.log,
    newRequestId: requestIds(),
    version: VERSION,
    health,
    metrics: rt.deps.metrics,
  }
}
