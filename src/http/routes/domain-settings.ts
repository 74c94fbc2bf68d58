import { createRoute, z } from '@hono/zod-openapi'
import { renderBind } from '../../core/dns/bind.js'
import { MtaStsPolicyInput } from '../../core/mta-sts/policy.js'
import { TlsRptSettings } from '../../core/tls-rpt/rua.js'
import type { ServiceDeps } from '../../services/deps.js'
import { getPolicy, setPolicy } from '../../services/mta-sts/mta-sts.js'
import { recordsFor } from '../../services/domains/records.js'
import { serviceWarnings } from '../../services/domains/service-warnings.js'
import { clearTlsRpt, getTlsRpt, setTlsRpt } from '../../services/tls-rpt/tls-rpt.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { PolicyOut, policyView, RecordOut, TlsRptOut, tlsRptView } from '../views.js'
import { DomainParam, domainFromParam } from './domain-param.js'

const params = { params: DomainParam }

const putPolicy = createRoute({
  method: 'put',
  path: '/domains/{name}/mta-sts',
  summary: 'Set the MTA-STS policy (RFC 8461 §3.2); the id changes only when the text does',
  request: { ...params, ...jsonBody(MtaStsPolicyInput) },
  responses: {
    200: json(PolicyOut, 'The stored policy'),
    ...problems(400, 401, 404, 409, 413, 415, 422),
  },
})

const getPolicyRoute = createRoute({
  method: 'get',
  path: '/domains/{name}/mta-sts',
  summary: 'The MTA-STS policy and its id',
  request: params,
  responses: { 200: json(PolicyOut, 'The stored policy'), ...problems(401, 404) },
})

const putTlsRpt = createRoute({
  method: 'put',
  path: '/domains/{name}/tls-rpt',
  summary: 'Set the TLS-RPT reporting URIs (RFC 8460 §3): mailto: and https:',
  request: { ...params, ...jsonBody(TlsRptSettings) },
  responses: {
    200: json(TlsRptOut, 'The stored settings'),
    ...problems(400, 401, 404, 409, 413, 415, 422),
  },
})

const getTlsRptRoute = createRoute({
  method: 'get',
  path: '/domains/{name}/tls-rpt',
  summary: 'The TLS-RPT reporting URIs and the hosted report URL (reportUrl)',
  request: params,
  responses: { 200: json(TlsRptOut, 'The stored settings'), ...problems(401, 404) },
})

const deleteTlsRpt = createRoute({
  method: 'delete',
  path: '/domains/{name}/tls-rpt',
  summary: 'Stop publishing TLS-RPT for the domain',
  request: params,
  responses: { 204: { description: 'Cleared' }, ...problems(401, 404) },
})

const records = createRoute({
  method: 'get',
  path: '/domains/{name}/records',
  summary: 'The DNS records to publish; ?format=bind gives a zone fragment',
  request: { ...params, query: z.object({ format: z.enum(['json', 'bind']).optional() }) },
  responses: {
    200: {
      description: 'Records, each with what it is for',
      content: {
        'application/json': {
          schema: z.object({
            domain: z.string(),
            records: z.array(RecordOut),
            warnings: z
              .array(z.string())
              .describe(
                'Why these records may not work for outsiders (SERVICE_HOST, certificates)',
              ),
          }),
        },
        'text/plain': { schema: z.string() },
      },
    },
    ...problems(401, 404, 422),
  },
})

export function domainSettingRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(putPolicy, async (c) => {
      const p = await setPolicy(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
        c.req.valid('json'),
      )
      return c.json(policyView(p), 200)
    })
    .openapi(getPolicyRoute, async (c) => {
      const p = await getPolicy(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
      return c.json(policyView(p), 200)
    })
    .openapi(putTlsRpt, async (c) => {
      const t = await setTlsRpt(
        deps,
        c.get('actor'),
        domainFromParam(c.req.valid('param').name),
        c.req.valid('json'),
      )
      return c.json(tlsRptView(t), 200)
    })
    .openapi(getTlsRptRoute, async (c) => {
      const t = await getTlsRpt(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
      return c.json(tlsRptView(t), 200)
    })
    .openapi(deleteTlsRpt, async (c) => {
      await clearTlsRpt(deps, c.get('actor'), domainFromParam(c.req.valid('param').name))
      return c.body(null, 204)
    })
    .openapi(records, async (c) => {
      const domain = domainFromParam(c.req.valid('param').name)
      const list = await recordsFor(deps, c.get('actor'), domain)
      const warnings = await serviceWarnings(deps)
      if (c.req.valid('query').format === 'bind') {
        return c.text(renderBind(list, warnings), 200, {
          'content-type': 'text/plain; charset=utf-8',
        })
      }
      return c.json({ domain, records: list, warnings }, 200)
    })
}
