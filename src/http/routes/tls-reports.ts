import { createRoute, z } from '@hono/zod-openapi'
import type { ServiceDeps } from '../../services/deps.js'
import { rotateReportToken } from '../../services/report-endpoint.js'
import { domainTlsHealth, getReport, listReports } from '../../services/tls-reports.js'
import { json, newRouter, problems } from '../openapi.js'
import { DomainParam, domainFromParam } from './domain-param.js'

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
const iso = (d: Date) => d.toISOString()

const list = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-reports',
  summary: 'TLS reports received for the domain (default: the last 30 days), newest first',
  request: { params: DomainParam, query: z.object({ from: Day.optional(), to: Day.optional() }) },
  responses: {
    200: json(z.object({ reports: z.array(z.record(z.string(), z.unknown())) }), 'Reports'),
    ...problems(401, 404, 422),
  },
})
const one = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-reports/{id}',
  summary: 'One report: parsed, and the raw JSON as received',
  request: { params: DomainParam.extend({ id: z.string().min(1).max(64) }) },
  responses: { 200: json(z.record(z.string(), z.unknown()), 'The report'), ...problems(401, 404) },
})
const health = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-health',
  summary:
    'Per day: sessions, failures by type, top failing MX and sending IPs, silent reporters, policy ids applied',
  request: {
    params: DomainParam,
    query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
  },
  responses: { 200: json(z.record(z.string(), z.unknown()), 'Health'), ...problems(401, 404, 422) },
})
const rotate = createRoute({
  method: 'post',
  path: '/domains/{name}/tls-rpt/rotate',
  summary: 'New report URL; the old one keeps working for 7 days (publish the new record)',
  request: { params: DomainParam },
  responses: {
    200: json(z.object({ url: z.string(), previousValidUntil: z.string() }), 'Rotated'),
    ...problems(401, 404),
  },
})

export function tlsReportRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(list, async (c) => {
      const q = c.req.valid('query')
      const rows = await listReports(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
        q,
      )
      const reports = rows.map((r) => ({
        id: r.id,
        organization: r.organization,
        reportId: r.reportId,
        start: iso(r.startAt),
        end: iso(r.endAt),
        successful: r.successful,
        failed: r.failed,
        warnings: r.warnings,
        receivedAt: iso(r.receivedAt),
      }))
      return c.json({ reports }, 200)
    })
    .openapi(one, async (c) => {
      const p = c.req.valid('param')
      const r = await getReport(deps, c.get('actor'), domainFromParam(p.name), p.id)
      return c.json({ ...r, domainId: undefined }, 200)
    })
    .openapi(health, async (c) => {
      const h = await domainTlsHealth(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
        c.req.valid('query').days,
      )
      return c.json(h as unknown as Record<string, unknown>, 200)
    })
    .openapi(rotate, async (c) => {
      const r = await rotateReportToken(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
      )
      return c.json({ url: r.url, previousValidUntil: iso(r.previousValidUntil) }, 200)
    })
}
