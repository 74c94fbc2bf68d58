/**
 * The operator's pages (issue 14): `/operator/tenants` (every tenant; create one, its first
 * token shown once) and `/operator/overview` (certificates by state, the failing ones with their
 * last error, and alert deliveries that failed). A tenant gets 404: these pages do not exist
 * for it, and the services refuse it as well.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError } from '../../core/errors.js'
import { parseInput } from '../../core/issues.js'
import { failedDeliveries } from '../../services/alerts/failed-deliveries.js'
import { certificateOverview } from '../../services/certs/cert-overview.js'
import type { ServiceDeps } from '../../services/deps.js'
import {
  createTenant,
  listTenants,
  TenantInput,
  type CreatedTenant,
} from '../../services/tenants/tenants.js'
import { statusOf } from '../errors.js'
import type { DashEnv } from './dashboard-env.js'
import { errorPage } from './error-page.js'
import { FieldErrors, GeneralErrors, invalidProps } from './fields.js'
import { formText } from './form-body.js'
import { formErrors, noErrors, type FormErrors } from './form-errors.js'
import { guards, mount } from './guards.js'
import { htmlPage } from './html-page.js'
import { Csrf, Layout } from './layout.js'
import { CertificateSections, FailedDeliveriesSection } from './operator-overview.js'
import { when } from './page-dates.js'
import { SecretOnce } from './secret-once.js'

/** Failed alert deliveries shown on the overview. */
const FAILED_SHOWN = 20

/** NOT_FOUND for a tenant: the page is not theirs to know about. */
function operatorOnly(c: Context<DashEnv>): void {
  if (c.get('viewer').actor.kind !== 'operator') {
    throw new DomainError('NOT_FOUND', 'page not found')
  }
}

async function tenantsPage(
  deps: ServiceDeps,
  c: Context<DashEnv>,
  extras: { created?: CreatedTenant; errors?: FormErrors; name?: string } = {},
  status: ContentfulStatusCode = 200,
) {
  operatorOnly(c)
  const viewer = c.get('viewer')
  const tenants = await listTenants(deps, viewer.actor)
  const errors = extras.errors ?? noErrors()
  return htmlPage(
    c,
    <Layout title="Tenants" viewer={viewer} current="/operator/tenants">
      {extras.created && (
        <SecretOnce
          id="tenant-token"
          title={`Tenant ${extras.created.name} created.`}
          label={`Its first API token (give it to ${extras.created.name})`}
          secret={extras.created.token}
        />
      )}
      <section aria-labelledby="tenant-list">
        <h2 id="tenant-list">All tenants</h2>
        {tenants.length === 0 ? (
          <p>No tenants yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Id</th>
                  <th scope="col">Created</th>
                  <th scope="col">Settings</th>
                </tr>
              </thead>
              <tbody>
                {tenants.map((t) => (
                  <tr>
                    <th scope="row">{t.name}</th>
                    <td>
                      <code>{t.id}</code>
                    </td>
                    <td>{when(t.createdAt)}</td>
                    <td>
                      <a href={`/alerts?tenant=${encodeURIComponent(t.id)}`}>
                        Alerts<span class="visually-hidden"> of {t.name}</span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="new-tenant">
        <h2 id="new-tenant">Create a tenant</h2>
        <GeneralErrors errors={errors} />
        <form method="post" action="/operator/tenants" class="stack">
          <Csrf viewer={viewer} />
          <div>
            <label for="tenant-name">Name (letters, digits, ".", "_" or "-")</label>
            <input
              id="tenant-name"
              name="name"
              value={extras.name ?? ''}
              required
              maxlength={63}
              autocomplete="off"
              {...invalidProps('tenant-name', errors, 'name')}
            />
            <FieldErrors id="tenant-name" errors={errors} field="name" />
          </div>
          <div>
            <button type="submit">Create tenant</button>
          </div>
        </form>
      </section>
    </Layout>,
    status,
  )
}

async function overviewPage(deps: ServiceDeps, c: Context<DashEnv>) {
  operatorOnly(c)
  const viewer = c.get('viewer')
  const [certs, failed] = await Promise.all([
    certificateOverview(deps, viewer.actor),
    failedDeliveries(deps, viewer.actor, { limit: FAILED_SHOWN }),
  ])
  return htmlPage(
    c,
    <Layout title="Service overview" viewer={viewer} current="/operator/overview">
      <CertificateSections certs={certs} />
      <FailedDeliveriesSection failed={failed} />
    </Layout>,
  )
}

export function operatorRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const g = guards(deps)

  mount(app, 'GET', '/operator/tenants', g.page, (c) => tenantsPage(deps, c))
  mount(app, 'POST', '/operator/tenants', g.form, async (c) => {
    operatorOnly(c)
    const name = await formText(c, 'name')
    try {
      const created = await createTenant(
        deps,
        c.get('viewer').actor,
        parseInput(TenantInput, { name }),
      )
      return tenantsPage(deps, c, { created })
    } catch (err) {
      const errors = formErrors(err)
      return tenantsPage(deps, c, { errors, name }, statusOf((err as DomainError).code))
    }
  })
  mount(app, 'GET', '/operator/overview', g.page, (c) => overviewPage(deps, c))
  return app
}
