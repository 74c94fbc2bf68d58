/**
 * `/alerts` (issue 14): where a tenant's alerts go — webhooks (the signing secret shown once,
 * the last deliveries with their outcome), mail contacts (a code is mailed; confirmed with it)
 * and "Send a test alert" with each outcome. The operator picks the tenant (`?tenant=<id>`, and a
 * hidden `tenant` field on each form); the services decide what either may do.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { DeliveryRow } from '../../core/alerts/alert-ports.js'
import { DomainError } from '../../core/errors.js'
import { parseInput } from '../../core/issues.js'
import { alertChannels } from '../../services/alerts/alert-channels.js'
import {
  addContact,
  confirmContact,
  ConfirmIn,
  ContactIn,
  listContacts,
  removeContact,
} from '../../services/alerts/contacts.js'
import { sendTestAlert, type TestAlertOutcome } from '../../services/alerts/test-alert.js'
import {
  addWebhook,
  listWebhooks,
  removeWebhook,
  webhookDeliveries,
  WebhookIn,
} from '../../services/alerts/webhooks.js'
import type { ServiceDeps } from '../../services/deps.js'
import { listTenants } from '../../services/tenants/tenants.js'
import { statusOf } from '../errors.js'
import { ContactsSection } from './alert-contacts.js'
import {
  TenantPicker,
  TestAlertSection,
  WebhooksSection,
  type FormState,
} from './alerts-sections.js'
import type { DashEnv } from './dashboard-env.js'
import { errorPage } from './error-page.js'
import { Notice } from './fields.js'
import { formText } from './form-body.js'
import { formErrors, noErrors } from './form-errors.js'
import { guards, mount } from './guards.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'

/** Deliveries shown per webhook: the recent ones say whether the receiver works now. */
const DELIVERIES_SHOWN = 5

/** Outcomes shown after a redirect (`?done=`): fixed texts, never echoed from the query. */
const DONE: Record<string, string> = {
  'webhook-removed': 'Webhook removed.',
  'contact-added': 'A code was mailed to the address: enter it below to confirm it.',
  confirmed: 'Address confirmed: it receives alerts from now on.',
  'contact-removed': 'Address removed.',
}

interface Extras {
  webhook?: FormState & { secret?: { url: string; secret: string } }
  contact?: FormState
  confirm?: FormState & { id: string }
  test?: { outcomes?: TestAlertOutcome[]; refused?: string }
  status?: ContentfulStatusCode
}

/** The tenant whose settings these are: the operator's choice; undefined for a tenant. */
async function tenantOf(c: Context<DashEnv>): Promise<string | undefined> {
  if (c.get('viewer').actor.kind === 'tenant') return undefined
  const chosen = c.req.method === 'GET' ? c.req.query('tenant') : await formText(c, 'tenant')
  return chosen ? chosen.slice(0, 64) : undefined
}

const back = (c: Context<DashEnv>, done: string, tenant: string | undefined) =>
  c.redirect(`/alerts?done=${done}${tenant ? `&tenant=${encodeURIComponent(tenant)}` : ''}`, 303)

async function render(deps: ServiceDeps, c: Context<DashEnv>, extras: Extras = {}) {
  const viewer = c.get('viewer')
  const tenant = await tenantOf(c)
  if (viewer.actor.kind === 'operator' && tenant === undefined) {
    const tenants = await listTenants(deps, viewer.actor)
    return htmlPage(
      c,
      <Layout title="Alerts" viewer={viewer} current="/alerts">
        <TenantPicker tenants={tenants} />
      </Layout>,
    )
  }
  const [hooks, contacts] = await Promise.all([
    listWebhooks(deps, viewer.actor, tenant),
    listContacts(deps, viewer.actor, tenant),
  ])
  const deliveries = new Map<string, DeliveryRow[]>()
  for (const h of hooks) {
    const opts = { limit: DELIVERIES_SHOWN, ...(tenant ? { tenantId: tenant } : {}) }
    deliveries.set(h.id, await webhookDeliveries(deps, viewer.actor, h.id, opts))
  }
  const done = DONE[c.req.query('done') ?? '']
  return htmlPage(
    c,
    <Layout title="Alerts" viewer={viewer} current="/alerts">
      {done && <Notice kind="ok">{done}</Notice>}
      <p class="muted">Alerts tell you when a domain's checks find a problem or it is resolved.</p>
      <WebhooksSection
        viewer={viewer}
        tenant={tenant}
        hooks={hooks}
        deliveries={deliveries}
        form={extras.webhook ?? { errors: noErrors(), value: '' }}
      />
      <ContactsSection
        viewer={viewer}
        tenant={tenant}
        contacts={contacts}
        mail={alertChannels(deps).mail}
        form={extras.contact ?? { errors: noErrors(), value: '' }}
        confirm={extras.confirm ?? null}
      />
      <TestAlertSection viewer={viewer} tenant={tenant} {...(extras.test ?? {})} />
    </Layout>,
    extras.status ?? 200,
  )
}

/** The DomainError's status, for a page shown again with the refusal. */
const statusFor = (err: unknown) => statusOf((err as DomainError).code)

export function alertRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const g = guards(deps)
  const actorOf = (c: Context<DashEnv>) => c.get('viewer').actor

  mount(app, 'GET', '/alerts', g.page, (c) => render(deps, c))

  mount(app, 'POST', '/alerts/webhooks', g.form, async (c) => {
    const url = await formText(c, 'url')
    try {
      const hook = await addWebhook(
        deps,
        actorOf(c),
        parseInput(WebhookIn, { url }),
        await tenantOf(c),
      )
      return render(deps, c, {
        webhook: { errors: noErrors(), value: '', secret: { url: hook.url, secret: hook.secret } },
      })
    } catch (err) {
      const webhook = { errors: formErrors(err), value: url }
      return render(deps, c, { webhook, status: statusFor(err) })
    }
  })

  mount(app, 'POST', '/alerts/webhooks/:id/remove', g.form, async (c) => {
    const tenant = await tenantOf(c)
    await removeWebhook(deps, actorOf(c), c.req.param('id') ?? '', tenant)
    return back(c, 'webhook-removed', tenant)
  })

  mount(app, 'POST', '/alerts/contacts', g.form, async (c) => {
    const email = await formText(c, 'email')
    const tenant = await tenantOf(c)
    try {
      await addContact(deps, actorOf(c), parseInput(ContactIn, { email }), tenant)
    } catch (err) {
      const contact = { errors: formErrors(err), value: email }
      return render(deps, c, { contact, status: statusFor(err) })
    }
    return back(c, 'contact-added', tenant)
  })

  mount(app, 'POST', '/alerts/contacts/:id/confirm', g.form, async (c) => {
    const id = c.req.param('id') ?? ''
    const code = await formText(c, 'code')
    const tenant = await tenantOf(c)
    try {
      await confirmContact(deps, actorOf(c), id, parseInput(ConfirmIn, { code }), tenant)
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') throw err
      const confirm = { id, errors: formErrors(err), value: code }
      return render(deps, c, { confirm, status: statusFor(err) })
    }
    return back(c, 'confirmed', tenant)
  })

  mount(app, 'POST', '/alerts/contacts/:id/remove', g.form, async (c) => {
    const tenant = await tenantOf(c)
    await removeContact(deps, actorOf(c), c.req.param('id') ?? '', tenant)
    return back(c, 'contact-removed', tenant)
  })

  mount(app, 'POST', '/alerts/test', g.form, async (c) => {
    try {
      const outcomes = await sendTestAlert(deps, actorOf(c), await tenantOf(c))
      return render(deps, c, { test: { outcomes } })
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'VALIDATION') throw err
      return render(deps, c, { test: { refused: err.message }, status: statusFor(err) })
    }
  })
  return app
}
