import { createRoute } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { QuotaOverrides } from '../../core/quotas.js'
import type { ServiceDeps } from '../../services/deps.js'
import { getTenantQuotas, setTenantQuotas } from '../../services/tenants/quotas.js'
import { createTenant, listTenants, TenantInput } from '../../services/tenants/tenants.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { TenantCreatedOut, TenantOut, tenantView } from '../views.js'

const create = createRoute({
  method: 'post',
  path: '/tenants',
  summary: 'Create a tenant (operator); its first token is returned once, with its id',
  request: jsonBody(TenantInput),
  responses: {
    201: json(TenantCreatedOut, 'The tenant and its first token'),
    ...problems(400, 401, 403, 409, 413, 415, 422),
  },
})

const list = createRoute({
  method: 'get',
  path: '/tenants',
  summary: 'List tenants (operator)',
  responses: {
    200: json(z.object({ tenants: z.array(TenantOut) }), 'Every tenant'),
    ...problems(401, 403),
  },
})

const Quotas = z.object({
  domainsPerTenant: z.number(),
  selectorsPerDomain: z.number(),
  logosPerDomain: z.number(),
  logoBytesPerDomain: z.number(),
  tlsrptReportsPerDomainDay: z.number(),
  tlsrptBytesPerDomainDay: z.number(),
})
const QuotasOut = z.object({
  tenantId: z.string(),
  quotas: Quotas,
  overrides: Quotas.partial(),
  defaults: Quotas,
})
const TenantIdParam = z.object({ id: z.string().min(1).max(64) })

const getQuotas = createRoute({
  method: 'get',
  path: '/tenants/{id}/quotas',
  summary: "The tenant's effective quotas (config defaults with the operator's overrides)",
  request: { params: TenantIdParam },
  responses: { 200: json(QuotasOut, 'Quotas'), ...problems(401, 404) },
})

const putQuotas = createRoute({
  method: 'put',
  path: '/tenants/{id}/quotas',
  summary: "Set the tenant's quota overrides (operator); absent keys use the configured defaults",
  request: { params: TenantIdParam, ...jsonBody(QuotaOverrides) },
  responses: { 200: json(QuotasOut, 'Quotas'), ...problems(400, 401, 403, 404, 413, 415, 422) },
})

export function tenantRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const t = await createTenant(deps, c.get('actor'), c.req.valid('json'))
      return c.json({ ...tenantView(t), token: t.token, tokenId: t.tokenId }, 201)
    })
    .openapi(list, async (c) => {
      const tenants = await listTenants(deps, c.get('actor'))
      return c.json({ tenants: tenants.map(tenantView) }, 200)
    })
    .openapi(getQuotas, async (c) =>
      c.json(await getTenantQuotas(deps, c.get('actor'), c.req.valid('param').id), 200),
    )
    .openapi(putQuotas, async (c) =>
      c.json(
        await setTenantQuotas(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('json')),
        200,
      ),
    )
}
