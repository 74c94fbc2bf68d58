/**
 * The parts of `/alerts` (issue 14): webhooks with their recent deliveries, the test alert's
 * outcomes, the operator's tenant picker, and the small forms they share (alert-contacts.tsx
 * has the mail contacts). URLs,
 * addresses and delivery reasons are outside text: JSX escapes them.
 */
import type { DeliveryRow, StoredWebhook } from '../../core/alerts/alert-ports.js'
import type { Tenant } from '../../core/ports.js'
import type { TestAlertOutcome } from '../../services/alerts/test-alert.js'
import { FieldErrors, GeneralErrors, invalidProps } from './fields.js'
import type { FormErrors } from './form-errors.js'
import { Csrf, type Viewer } from './layout.js'
import { when } from './page-dates.js'
import { SecretOnce } from './secret-once.js'

/** A form's refusal and what was typed, to show again. */
export interface FormState {
  errors: FormErrors
  value: string
}

/** The operator's forms name the tenant they act for (the services check it exists). */
export function TenantField(props: { tenant: string | undefined }) {
  return props.tenant ? <input type="hidden" name="tenant" value={props.tenant} /> : null
}

export function PostButton(props: {
  viewer: Viewer
  tenant: string | undefined
  action: string
  label: string
  hidden: string
}) {
  return (
    <form method="post" action={props.action}>
      <Csrf viewer={props.viewer} />
      <TenantField tenant={props.tenant} />
      <button type="submit" class="danger">
        {props.label}
        <span class="visually-hidden"> {props.hidden}</span>
      </button>
    </form>
  )
}

export function TenantPicker(props: { tenants: Tenant[] }) {
  return (
    <section aria-labelledby="pick-tenant">
      <h2 id="pick-tenant">Choose a tenant</h2>
      <p>Alert webhooks and contacts belong to a tenant.</p>
      {props.tenants.length === 0 ? (
        <p>
          No tenants yet: <a href="/operator/tenants">create one</a>.
        </p>
      ) : (
        <form method="get" action="/alerts" class="search">
          <label for="alert-tenant">Tenant</label>
          <select id="alert-tenant" name="tenant">
            {props.tenants.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </select>
          <button type="submit">Show its alerts</button>
        </form>
      )}
    </section>
  )
}

const DELIVERY_STATE: Record<DeliveryRow['status'], [string, string]> = {
  delivered: ['state-ok', 'delivered'],
  failed: ['state-error', 'failed'],
  pending: ['state-warning', 'pending (will retry)'],
}

function Deliveries(props: { rows: DeliveryRow[] }) {
  if (props.rows.length === 0) return <span class="muted">none yet</span>
  return (
    <ul>
      {props.rows.map((d) => {
        const [cls, text] = DELIVERY_STATE[d.status]
        return (
          <li>
            {when(d.updatedAt)}: <span class={cls}>{text}</span>
            {d.lastStatus !== null && ` (status ${d.lastStatus})`}
            {d.lastReason && ` — ${d.lastReason}`}
          </li>
        )
      })}
    </ul>
  )
}

export function WebhooksSection(props: {
  viewer: Viewer
  tenant: string | undefined
  hooks: StoredWebhook[]
  deliveries: Map<string, DeliveryRow[]>
  form: FormState & { secret?: { url: string; secret: string } }
}) {
  const { errors } = props.form
  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      {props.form.secret && (
        <SecretOnce
          id="webhook-secret"
          title={`Webhook ${props.form.secret.url} added.`}
          label="Its signing secret (the key of the HMAC-SHA256 signature header)"
          secret={props.form.secret.secret}
        />
      )}
      {props.hooks.length === 0 ? (
        <p>No webhooks.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Added</th>
                <th scope="col">Recent deliveries</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {props.hooks.map((h) => (
                <tr>
                  <th scope="row">
                    <code>{h.url}</code>
                  </th>
                  <td>{when(h.createdAt)}</td>
                  <td>
                    <Deliveries rows={props.deliveries.get(h.id) ?? []} />
                  </td>
                  <td>
                    <PostButton
                      viewer={props.viewer}
                      tenant={props.tenant}
                      action={`/alerts/webhooks/${encodeURIComponent(h.id)}/remove`}
                      label="Remove"
                      hidden={h.url}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Add a webhook</h3>
      <GeneralErrors errors={errors} />
      <form method="post" action="/alerts/webhooks" class="stack">
        <Csrf viewer={props.viewer} />
        <TenantField tenant={props.tenant} />
        <div>
          <label for="webhook-url">URL (https:) that receives each alert as a signed POST</label>
          <input
            id="webhook-url"
            name="url"
            type="url"
            value={props.form.value}
            required
            maxlength={2048}
            {...invalidProps('webhook-url', errors, 'url')}
          />
          <FieldErrors id="webhook-url" errors={errors} field="url" />
        </div>
        <div>
          <button type="submit">Add webhook</button>
        </div>
      </form>
    </section>
  )
}

export function TestAlertSection(props: {
  viewer: Viewer
  tenant: string | undefined
  outcomes?: TestAlertOutcome[]
  refused?: string
}) {
  return (
    <section aria-labelledby="test-alert">
      <h2 id="test-alert">Test alert</h2>
      <p>
        One test message to each webhook and confirmed address, now: proof that they work before a
        real problem needs them.
      </p>
      {props.refused && (
        <p class="notice error" role="alert">
          {props.refused}
        </p>
      )}
      {props.outcomes && (
        <div class="notice" role="status">
          <p>Test alert sent:</p>
          <ul>
            {props.outcomes.map((o) => (
              <li>
                {o.channel} {o.target}:{' '}
                <span class={o.ok ? 'state-ok' : 'state-error'}>
                  {o.ok ? 'delivered' : 'failed'}
                </span>
                {o.status !== null && ` (status ${o.status})`}
                {o.reason && ` — ${o.reason}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form method="post" action="/alerts/test">
        <Csrf viewer={props.viewer} />
        <TenantField tenant={props.tenant} />
        <button type="submit">Send a test alert</button>
      </form>
    </section>
  )
}
