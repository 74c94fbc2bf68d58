import { createRoute, z } from '@hono/zod-openapi'
import { CursorParam, limitParam } from '../../core/cursor.js'
import type { ServiceDeps } from '../../services/deps.js'
import {
  createToken,
  listTokens,
  revokeToken,
  rotateToken,
  TokenInput,
  TOKENS_PAGE,
  TOKENS_PAGE_MAX,
} from '../../services/auth/tokens.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { queryIs400 } from '../query.js'
import { iso, TokenCreatedOut } from '../views.js'

const create = createRoute({
  method: 'post',
  path: '/tokens',
  summary:
    "Create an API token for the caller's tenant; the operator names tenantId, or sends " +
    '"operator": true for another operator token',
  request: jsonBody(TokenInput),
  responses: {
    201: json(TokenCreatedOut, 'The token; its secret is shown only here'),
    ...problems(400, 401, 403, 413, 415, 422),
  },
})

const TokenOut = z.object({
  id: z.string(),
  label: z.string(),
  tenantId: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})

const list = createRoute({
  method: 'get',
  path: '/tokens',
  summary:
    'List tokens, oldest first (a tenant: its own; the operator: all, or ?tenantId=); never the secret',
  request: {
    query: z.object({
      tenantId: z.string().min(1).max(64).optional(),
      limit: limitParam(TOKENS_PAGE_MAX, TOKENS_PAGE),
      cursor: CursorParam.optional(),
    }),
  },
  responses: {
    200: json(
      z.object({ tokens: z.array(TokenOut), nextCursor: z.string().nullable() }),
      'One page of tokens; pass nextCursor as ?cursor= for the next',
    ),
    ...problems(400, 401, 403),
  },
})

const revoke = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  summary: 'Revoke a token',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, ...problems(401, 404) },
})

const rotate = createRoute({
  method: 'post',
  path: '/tokens/{id}/rotate',
  summary: 'A new secret for the same label and tenant; the old token is revoked at once (no body)',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: {
    200: json(
      TokenCreatedOut.extend({ replaces: z.string() }),
      'The new token; its secret is shown only here',
    ),
    ...problems(401, 404, 409),
  },
})

export function tokenRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) =>
      c.json(await createToken(deps, c.get('actor'), c.req.valid('json')), 201),
    )
    .openapi(
      list,
      async (c) => {
        const page = await listTokens(deps, c.get('actor'), c.req.valid('query'))
        const tokens = page.items.map((t) => ({
          id: t.id,
          label: t.label,
          tenantId: t.tenantId,
          createdAt: t.createdAt.toISOString(),
          lastUsedAt: iso(t.lastUsedAt),
          revokedAt: iso(t.revokedAt),
        }))
        return c.json({ tokens, nextCursor: page.nextCursor }, 200)
      },
      queryIs400,
    )
    .openapi(rotate, async (c) =>
      c.json(await rotateToken(deps, c.get('actor'), c.req.valid('param').id), 200),
    )
    .openapi(revoke, async (c) => {
      await revokeToken(deps, c.get('actor'), c.req.valid('param').id)
      return c.body(null, 204)
    })
}
