/**
 * Alert mail contacts and test alerts (issue 13): add (a code is mailed), confirm with the code,
 * list, remove, a contact's delivery log; and a test alert to every webhook and confirmed
 * contact of the tenant.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { StoredContact } from '../../core/alerts/alert-ports.js'
import {
  addContact,
  ConfirmIn,
  confirmContact,
  contactDeliveries,
  ContactIn,
  listContacts,
  removeContact,
} from '../../services/alerts/contacts.js'
import { sendTestAlert } from '../../services/alerts/test-alert.js'
import type { ServiceDeps } from '../../services/deps.js'
import { json, jsonBody, newRouter, problems } from '../openapi.js'
import { queryIs400 } from '../query.js'
import { iso } from '../views.js'
import { deliveryLogRoute, deliveryView, IdParam, TenantQuery } from './webhooks.js'

const ContactOut = z.object({
  id: z.string(),
  email: z.string(),
  confirmed: z.boolean().describe('Alerts go only to confirmed addresses'),
  confirmedAt: z.string().nullable(),
  createdAt: z.string(),
})
const contactView = (c: StoredContact): z.infer<typeof ContactOut> => ({
  id: c.id,
  email: c.email,
  confirmed: c.confirmedAt !== null,
  confirmedAt: iso(c.confirmedAt),
  createdAt: c.createdAt.toISOString(),
})
const TestOut = z.object({
  channel: z.enum(['webhook', 'mail']),
  id: z.string(),
  target: z.string(),
  ok: z.boolean(),
  status: z.number().int().nullable().describe('HTTP status or SMTP reply code'),
  reason: z.string().nullable(),
})

const create = createRoute({
  method: 'post',
  path: '/alert-contacts',
  summary:
    'Add an alert mail address: a confirmation code is mailed to it, and alerts go there once ' +
    'the code is confirmed (needs SMTP_URL on the server)',
  request: { query: TenantQuery, ...jsonBody(ContactIn) },
  responses: {
    201: json(ContactOut, 'The contact, unconfirmed'),
    ...problems(400, 401, 409, 413, 415, 422, 429, 502),
  },
})
const confirm = createRoute({
  method: 'post',
  path: '/alert-contacts/{id}/confirm',
  summary: 'Confirm an alert mail address with the code mailed to it (5 attempts)',
  request: { params: IdParam, query: TenantQuery, ...jsonBody(ConfirmIn) },
  responses: {
    200: json(ContactOut, 'The contact, confirmed'),
    ...problems(400, 401, 404, 409, 413, 415, 422),
  },
})
const list = createRoute({
  method: 'get',
  path: '/alert-contacts',
  summary: "The tenant's alert mail addresses",
  request: { query: TenantQuery },
  responses: {
    200: json(z.object({ contacts: z.array(ContactOut) }), 'Contacts'),
    ...problems(400, 401, 422),
  },
})
const remove = createRoute({
  method: 'delete',
  path: '/alert-contacts/{id}',
  summary: 'Remove an alert mail address (its pending deliveries go with it)',
  request: { params: IdParam, query: TenantQuery },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 404, 422) },
})
const deliveries = deliveryLogRoute(
  '/alert-contacts/{id}/deliveries',
  "The contact's delivery log, newest first",
)
const test = createRoute({
  method: 'post',
  path: '/alerts/test',
  summary:
    'Send a test alert now to every webhook and confirmed contact of the tenant, with each ' +
    'outcome (not retried; 10 an hour with confirmation codes)',
  request: { query: TenantQuery },
  responses: {
    200: json(z.object({ results: z.array(TestOut) }), 'One outcome per target'),
    ...problems(400, 401, 409, 422, 429),
  },
})

export function alertContactRoutes(deps: ServiceDeps) {
  return newRouter()
    .openapi(create, async (c) => {
      const tenant = c.req.valid('query').tenantId
      const contact = await addContact(deps, c.get('actor'), c.req.valid('json'), tenant)
      return c.json(contactView(contact), 201)
    })
    .openapi(confirm, async (c) => {
      const contact = await confirmContact(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        c.req.valid('json'),
        c.req.valid('query').tenantId,
      )
      return c.json(contactView(contact), 200)
    })
    .openapi(
      list,
      async (c) => {
        const contacts = await listContacts(deps, c.get('actor'), c.req.valid('query').tenantId)
        return c.json({ contacts: contacts.map(contactView) }, 200)
      },
      queryIs400,
    )
    .openapi(remove, async (c) => {
      const { id } = c.req.valid('param')
      await removeContact(deps, c.get('actor'), id, c.req.valid('query').tenantId)
      return c.body(null, 204)
    })
    .openapi(deliveries, async (c) => {
      const q = c.req.valid('query')
      const rows = await contactDeliveries(deps, c.get('actor'), c.req.valid('param').id, q)
      return c.json({ deliveries: rows.map(deliveryView) }, 200)
    })
    .openapi(test, async (c) => {
      const results = await sendTestAlert(deps, c.get('actor'), c.req.valid('query').tenantId)
      return c.json({ results }, 200)
    })
}
