import { createRoute, z } from '@hono/zod-openapi'
import type { DeliveryRow } from '../../core/alerts/alert-ports.js'
import type { ServiceDeps } from '../../services/deps.js'
import {
  addWebhook,
  listWebhooks,
  removeWebhook,
  webhookDeliveries,
  WebhookIn,
} from '../../services/alerts/webhooks.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { queryIs400 } from '../query.js'
import { iso } from '../views.js'

export const TenantQuery = z.object({
  tenantId: z.string().min(1).max(64).optional().describe('The operator names the tenant'),
})
export const IdParam = z.object({ id: z.string().min(1).max(64) })
const WebhookOut = z.object({ id: z.string(), url: z.string(), createdAt: z.string() })
export const DeliveryOut = z.object({
  id: z.string().describe('Also sent as X-Policyhost-Delivery: the same on every retry'),
  webhookId: z.string().nullable(),
  contactId: z.string().nullable(),
  eventId: z.number().int(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
})

const create = createRoute({
  method: 'post',
  path: '/webhooks',
  summary:
    "Add an alert webhook: each change of a domain's findings is POSTed as JSON, signed " +
    '(X-Policyhost-Signature: sha256=HMAC(secret, "<X-Policyhost-Timestamp>.<body>")); the secret is shown only here',
  request: { query: TenantQuery, ...jsonBody(WebhookIn) },
  responses: {
    201: json(WebhookOut.extend({ secret: z.string() }), 'The webhook and its signing secret'),
    ...problems(400, 401, 409, 413, 415, 422),
  },
})
const list = createRoute({
  method: 'get',
  path: '/webhooks',
  summary: "The tenant's alert webhooks (never their secrets)",
  request: { query: TenantQuery },
  responses: {
    200: json(z.object({ webhooks: z.array(WebhookOut) }), 'Webhooks'),
    ...problems(400, 401, 422),
  },
})
const remove = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  summary: 'Remove an alert webhook (its pending deliveries go with it)',
  request: { params: IdParam, query: TenantQuery },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 404, 422) },
})
/** `GET <path>`: a webhook's or a contact's delivery log (the same shape for both). */
export function deliveryLogRoute<P extends string>(path: P, summary: string) {
  return createRoute({
    method: 'get',
    path,
    summary,
    request: {
      params: IdParam,
      query: TenantQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    },
    responses: {
      200: json(z.object({ deliveries: z.array(DeliveryOut) }), 'Deliveries'),
      ...problems(400, 401, 404, 422),
    },
  })
}
const deliveries = deliveryLogRoute(
  '/webhooks/{id}/deliveries',
  "The webhook's delivery log, newest first",
)

export function webhookRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const w = await addWebhook(
        deps,
        c.get('actor'),
        c.req.valid('json'),
        c.req.valid('query').tenantId,
      )
      return c.json(
        { id: w.id, url: w.url, createdAt: w.createdAt.toISOString(), secret: w.secret },
        201,
      )
    })
    .openapi(
      list,
      async (c) => {
        const hooks = await listWebhooks(deps, c.get('actor'), c.req.valid('query').tenantId)
        return c.json(
          {
            webhooks: hooks.map((w) => ({
              id: w.id,
              url: w.url,
              createdAt: w.createdAt.toISOString(),
            })),
          },
          200,
        )
      },
      queryIs400,
    )
    .openapi(remove, async (c) => {
      await removeWebhook(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        c.req.valid('query').tenantId,
      )
      return c.body(null, 204)
    })
    .openapi(deliveries, async (c) => {
      const q = c.req.valid('query')
      const rows = await webhookDeliveries(deps, c.get('actor'), c.req.valid('param').id, q)
      return c.json({ deliveries: rows.map(deliveryView) }, 200)
    })
}

/** A delivery log row as the API shows it (webhooks' and contacts' alike). */
export function deliveryView(d: DeliveryRow): z.infer<typeof DeliveryOut> {
  return {
    ...d,
    nextAttemptAt: iso(d.nextAttemptAt),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  }
}
