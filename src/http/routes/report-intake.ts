import type { HttpBindings } from '@hono/node-server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ServiceDeps } from '../../services/deps.js'
import { receiveReport, type IntakeLimits } from '../../services/tls-rpt/report-intake.js'
import type { AppEnv } from '../env.js'
import { problem } from '../errors.js'

type Env = AppEnv & { Bindings: HttpBindings }

/**
 * `POST /tlsrpt/<token>` on the service host (RFC 8460 §3, §5.4): reporters submit here. 201 for a
 * new report, 200 for one already received; every refusal is a problem+json with its reason.
 */
export function reportIntakeRoutes(deps: ServiceDeps, limits: IntakeLimits & { maxBytes: number }) {
  const app = new Hono<Env>()
  app.post(
    '/:token',
    bodyLimit({
      maxSize: limits.maxBytes,
      onError: (c) => problem(c, 413, `report over ${limits.maxBytes} bytes`),
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer())
      const result = await receiveReport(deps, limits, {
        token: c.req.param('token'),
        contentType: c.req.header('content-type'),
        body,
        source: `https:${c.env?.incoming?.socket?.remoteAddress ?? 'unknown'}`,
      })
      return result.duplicate
        ? c.json({ duplicate: true, domain: result.domain }, 200)
        : c.json({ id: result.id, domain: result.domain, warnings: result.warnings }, 201)
    },
  )
  app.all('/:token', (c) => problem(c, 405, 'reports are submitted with POST (RFC 8460 §5.4)'))
  return app
}
