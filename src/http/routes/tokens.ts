import { createRoute, z } from '@hono/zod-openapi'
import type { ServiceDeps } from '../../services/deps.js'
import { createToken, revokeToken, TokenInput } from '../../services/tokens.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { TokenCreatedOut } from '../views.js'

const create = createRoute({
  method: 'post',
  path: '/tokens',
  summary: "Create an API token for the caller's tenant (the operator may name a tenant)",
  request: jsonBody(TokenInput),
  responses: {
    201: json(TokenCreatedOut, 'The token; its secret is shown only here'),
    ...problems(400, 401, 403, 413, 415, 422),
  },
})

const revoke = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  summary: 'Revoke a token',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, ...problems(401, 404) },
})

export function tokenRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) =>
      c.json(await createToken(deps, c.get('actor'), c.req.valid('json')), 201),
    )
    .openapi(revoke, async (c) => {
      await revokeToken(deps, c.get('actor'), c.req.valid('param').id)
      return c.body(null, 204)
    })
}
