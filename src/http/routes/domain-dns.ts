import { createRoute, z } from '@hono/zod-openapi'
import type { ServiceDeps } from '../../services/deps.js'
import { setDnsMode } from '../../services/dns/dns-mode.js'
import { jsonBody, json, newRouter, problems } from '../openapi.js'
import { DomainOut, domainView } from '../views.js'
import { DomainParam, domainFromParam } from './domain-param.js'

export const DnsModeIn = z
  .object({
    mode: z
      .enum(['self', 'delegated'])
      .describe(
        '`delegated`: publish CNAMEs into the service zone once; the zone serves the TXT records',
      ),
  })
  .strict()

export const DelegationOut = z.object({
  mode: z.enum(['self', 'delegated']),
  zone: z.string().nullable(),
  zoneId: z.string().nullable().describe('The _mta-sts id the zone announces'),
  policyId: z.string().nullable().describe("The policy's id; differs while a change is in flight"),
  inFlight: z.string().nullable().describe('Why zoneId is not policyId yet (RFC 8461 §8.1)'),
  records: z.array(
    z.object({
      name: z.string(),
      target: z.string().describe('Where the CNAME at `name` must point'),
      value: z.string().nullable().describe('The TXT value the zone serves there'),
      check: z.enum(['ok', 'missing', 'wrong-target', 'wrong-value', 'error']),
      detail: z.string().nullable(),
    }),
  ),
})

const putMode = createRoute({
  method: 'put',
  path: '/domains/{name}/dns',
  summary: 'Who publishes the TXT records: the owner (`self`) or the service zone (`delegated`)',
  request: { params: DomainParam, ...jsonBody(DnsModeIn) },
  responses: {
    200: json(DomainOut, 'The domain'),
    ...problems(400, 401, 404, 409, 413, 415, 422),
  },
})

export function domainDnsRoutes(deps: ServiceDeps) {
  return newRouter().openapi(putMode, async (c) => {
    const name = domainFromParam(c.req.valid('param').name)
    const d = await setDnsMode(deps, c.get('actor'), name, c.req.valid('json').mode)
    return c.json(domainView(d), 200)
  })
}
