import { createRoute } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import type { ServiceDeps } from '../../services/deps.js'
import { createTenant, listTenants, TenantInput } from '../../services/tenants.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { TenantCreatedOut, TenantOut, tenantView } from '../views.js'

const create = createRoute({
  method: 'post',
  path: '/tenants',
  summary: 'Create a tenant (operator); its first token is returned once',
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

export function tenantRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const t = await createTenant(deps, c.get('actor'), c.req.valid('json'))
      return c.json({ ...tenantView(t), token: t.token }, 201)
    })
    .openapi(list, async (c) => {
      const tenants = await listTenants(deps, c.get('actor'))
      return c.json({ tenants: tenants.map(tenantView) }, 200)
    })
}
