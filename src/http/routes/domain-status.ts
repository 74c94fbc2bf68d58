import { createRoute, z } from '@hono/zod-openapi'
import type { ServiceDeps } from '../../services/deps.js'
import { domainStatus } from '../../services/domains/domain-status.js'
import { json, newRouter, problems } from '../openapi.js'
import { DomainOut, statusView } from '../views.js'
import { DomainParam, domainFromParam } from './domain-param.js'
import { ChecksStateOut } from './domain-checks.js'
import { DelegationOut } from './domain-dns.js'

const HostnameOut = z.object({
  name: z.string(),
  role: z.enum(['policy', 'logo']),
  dns: z.object({
    status: z
      .enum(['ok', 'pending', 'unchecked'])
      .describe('Preflight: does the name point at us?'),
    detail: z.string().nullable(),
  }),
  certificate: z.object({
    status: z.enum(['pending', 'dns_pending', 'ok', 'failed']),
    issuer: z.string().nullable(),
    serial: z.string().nullable(),
    notBefore: z.string().nullable(),
    notAfter: z.string().nullable(),
    renewAt: z.string().nullable(),
    expired: z.boolean(),
  }),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  failures: z.number().int(),
  nextAttemptAt: z.string().nullable(),
})

const StatusOut = z.object({
  domain: DomainOut,
  enforceAdvice: z
    .object({ ready: z.boolean(), reasons: z.array(z.string()) })
    .nullable()
    .describe('While testing: do TLS reports suggest moving to enforce? Advice only'),
  bimi: z
    .object({
      dmarcBlockers: z
        .array(z.string())
        .describe('Why receivers will not show the logo (BIMI §8.1)'),
      certificates: z.array(
        z.object({
          selector: z.string(),
          notAfter: z.string().nullable(),
          warnings: z.array(z.string()),
        }),
      ),
    })
    .nullable(),
  policy: z.object({ id: z.string(), mode: z.string(), maxAge: z.number().int() }).nullable(),
  hostnames: z.array(HostnameOut),
  warnings: z
    .array(z.string())
    .describe('Why the records and URLs handed out may not work for outsiders (SERVICE_HOST)'),
  dns: DelegationOut.nullable().describe('Delegated mode only (issue 12)'),
  checks: ChecksStateOut.describe('Live checks: open findings, and when each check last ran'),
})

const route = createRoute({
  method: 'get',
  path: '/domains/{name}/status',
  summary: 'Per hostname: DNS preflight, certificate, last error and next attempt',
  request: { params: DomainParam },
  responses: { 200: json(StatusOut, 'The status'), ...problems(401, 404) },
})

export function domainStatusRoutes(deps: ServiceDeps) {
  return newRouter().openapi(route, async (c) => {
    const s = await domainStatus(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
    return c.json(statusView(s, deps.clock.now()), 200)
  })
}
