/**
 * GET /healthz (liveness, with what is up) and GET /readyz (readiness, for load balancers).
 * Served where /healthz always was: the service host and loopback names, over HTTP and HTTPS
 * (the admin-host gate in app.ts). Nothing tenant-specific; failures by short cause only.
 */
import { Hono } from 'hono'
import type { HealthReport, Readiness } from '../../core/health.js'
import type { AppEnv } from '../env.js'

export interface HealthSource {
  report(): Promise<HealthReport>
  readiness(): Promise<Readiness>
}

/** Probes and load balancers must see the state now, never a cached answer. */
const NO_STORE = { 'cache-control': 'no-store' }

export function healthRoutes(health: HealthSource, version: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // 200 while the process serves (ok or degraded), 503 when it cannot: a restart may help.
  app.get('/healthz', async (c) => {
    const { status, draining, checks } = await health.report()
    const body = { status, version, policies: checks.snapshot.policies, draining, checks }
    return c.json(body, status === 'down' ? 503 : 200, NO_STORE)
  })
  // 503 first when shutdown begins, so a load balancer stops sending before listeners close.
  app.get('/readyz', async (c) => {
    const r = await health.readiness()
    return r.ready
      ? c.json({ ready: true }, 200, NO_STORE)
      : c.json({ ready: false, reasons: r.reasons }, 503, NO_STORE)
  })
  return app
}
