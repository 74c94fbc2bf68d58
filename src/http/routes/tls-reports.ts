import { createRoute, z } from '@hono/zod-openapi'
import { CursorParam, limitParam } from '../../core/cursor.js'
import type { ServiceDeps } from '../../services/deps.js'
import { rotateReportToken } from '../../services/tls-rpt/report-endpoint.js'
import {
  domainTlsHealth,
  getReport,
  listReports,
  REPORTS_PAGE,
  REPORTS_PAGE_MAX,
} from '../../services/tls-rpt/tls-reports.js'
import { json, newRouter, problems } from '../openapi.js'
import { queryIs400 } from '../query.js'
import { TlsHealthOut, TlsReportOut } from '../tls-report-schemas.js'
import { DomainParam, domainFromParam } from './domain-param.js'

/** A real calendar day: `2026-13-45` and `2026-02-30` match the pattern but are no day. */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`)
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d
  }, 'must be a calendar day (YYYY-MM-DD)')
const iso = (d: Date) => d.toISOString()

const list = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-reports',
  summary: 'TLS reports received for the domain (default: the last 30 days), newest first',
  request: {
    params: DomainParam,
    query: z.object({
      from: Day.optional(),
      to: Day.optional(),
      limit: limitParam(REPORTS_PAGE_MAX, REPORTS_PAGE),
      cursor: CursorParam.optional(),
    }),
  },
  responses: {
    200: json(
      z.object({
        reports: z.array(z.record(z.string(), z.unknown())),
        nextCursor: z.string().nullable(),
      }),
      'One page of reports; pass nextCursor as ?cursor= for the next',
    ),
    ...problems(400, 401, 404, 422),
  },
})
const one = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-reports/{id}',
  summary: 'One report: parsed, and the raw JSON as received',
  request: { params: DomainParam.extend({ id: z.string().min(1).max(64) }) },
  responses: { 200: json(TlsReportOut, 'The report'), ...problems(401, 404) },
})
const health = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-health',
  summary:
    'Per day: sessions, failures by type, top failing MX and sending IPs, silent reporters, policy ids applied',
  request: {
    params: DomainParam,
    query: z.object({
      days: z.coerce
        .number({ error: 'must be a whole number from 1 to 366' })
        .int('must be a whole number from 1 to 366')
        .min(1, 'must be a whole number from 1 to 366')
        .max(366, 'must be a whole number from 1 to 366')
        .default(30),
    }),
  },
  responses: { 200: json(TlsHealthOut, 'Health'), ...problems(400, 401, 404) },
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
    .openapi(
      list,
      async (c) => {
        const q = c.req.valid('query')
        const page = await listReports(
          deps,
          c.get('actor'),
          domainFromParam(c.req.valid('param').name),
          q,
        )
        const reports = page.items.map((r) => ({
          id: r.id,
          organization: r.organization,
          reportId: r.reportId,
          start: iso(r.startAt),
          end: iso(r.endAt),
          successful: r.successful,
          failed: r.failed,
          warnings: r.warnings,
          receivedAt: iso(r.receivedAt),
          // What the row costs against TLSRPT_BYTES_PER_DOMAIN_DAY.
          storedBytes: r.storedBytes,
        }))
        return c.json({ reports, nextCursor: page.nextCursor }, 200)
      },
      queryIs400,
    )
    .openapi(one, async (c) => {
      const p = c.req.valid('param')
      const r = await getReport(deps, c.get('actor'), domainFromParam(p.name), p.id)
      const { domainId: _domain, parsed, ...rest } = r
      return c.json(
        {
          ...rest,
          startAt: iso(r.startAt),
          endAt: iso(r.endAt),
          receivedAt: iso(r.receivedAt),
          parsed: parsed as Record<string, never>,
        },
        200,
      )
    })
    .openapi(
      health,
      async (c) => {
        const h = await domainTlsHealth(
          deps,
          c.get('actor'),
          domainFromParam(c.req.valid('param').name),
          c.req.valid('query').days,
        )
        return c.json(h, 200)
      },
      queryIs400,
    )
    .openapi(rotate, async (c) => {
      const r = await rotateReportToken(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
      )
      return c.json({ url: r.url, previousValidUntil: iso(r.previousValidUntil) }, 200)
    })
}
