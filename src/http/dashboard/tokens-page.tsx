/**
 * `/tokens` (issue 14): the caller's API tokens — label, created, last used, revoked — a form to
 * make one (the secret is on the answer page once: only its hash is stored) and a revoke button
 * per token. Revoking the token a session signed in with ends that session and every other
 * session of the token: the session guard checks revocation on each request.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { decodeCursor } from '../../core/cursor.js'
import type { DomainError } from '../../core/errors.js'
import { parseInput } from '../../core/issues.js'
import type { ApiToken, Tenant } from '../../core/ports.js'
import {
  createToken,
  listTokens,
  revokeToken,
  TokenInput,
  type CreatedToken,
} from '../../services/auth/tokens.js'
import type { ServiceDeps } from '../../services/deps.js'
import { listTenants } from '../../services/tenants/tenants.js'
import { statusOf } from '../errors.js'
import type { DashEnv } from './dashboard-env.js'
import { errorPage } from './error-page.js'
import { FieldErrors, GeneralErrors, invalidProps, Notice } from './fields.js'
import { formText } from './form-body.js'
import { formErrors, noErrors, topField, type FormErrors } from './form-errors.js'
import { guards, mount } from './guards.js'
import { htmlPage } from './html-page.js'
import { Csrf, Layout, type Viewer } from './layout.js'
import { when } from './page-dates.js'
import { SecretOnce } from './secret-once.js'

/** Outcomes shown after a redirect (`?done=`): fixed texts, never echoed from the query. */
const DONE: Record<string, string> = { revoked: 'Token revoked.' }

interface Extras {
  created?: CreatedToken
  errors?: FormErrors
  draft?: { label: string; for: string }
  status?: ContentfulStatusCode
}

/** The operator's create form names who the token is for: `operator` or a tenant id. */
const forField = (path: string) =>
  path.startsWith('tenantId') || path.startsWith('operator') ? 'for' : topField(path)

function TokenRow(props: { viewer: Viewer; token: ApiToken; tenants: Map<string, string> | null }) {
  const t = props.token
  const mine = t.id === props.viewer.actor.tokenId
  return (
    <tr>
      <th scope="row">
        {t.label}
        {mine && <span class="muted"> (this session)</span>}
      </th>
      {props.tenants && (
        <td>{t.tenantId === null ? 'operator' : (props.tenants.get(t.tenantId) ?? t.tenantId)}</td>
      )}
      <td>{when(t.createdAt)}</td>
      <td>{t.lastUsedAt ? when(t.lastUsedAt) : 'never'}</td>
      <td>
        {t.revokedAt ? (
          <span class="state-error">revoked {when(t.revokedAt)}</span>
        ) : (
          <span class="state-ok">active</span>
        )}
      </td>
      <td>
        {!t.revokedAt && (
          <form method="post" action={`/tokens/${encodeURIComponent(t.id)}/revoke`}>
            <Csrf viewer={props.viewer} />
            <button type="submit" class="danger">
              Revoke<span class="visually-hidden"> {t.label}</span>
              {mine && ' (signs you out)'}
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

function CreateForm(props: {
  viewer: Viewer
  errors: FormErrors
  draft: { label: string; for: string }
  tenants: Tenant[] | null
}) {
  const { errors } = props
  return (
    <form method="post" action="/tokens" class="stack">
      <Csrf viewer={props.viewer} />
      <div>
        <label for="token-label">Label (what the token is for, e.g. "CI deploy")</label>
        <input
          id="token-label"
          name="label"
          value={props.draft.label}
          required
          maxlength={100}
          autocomplete="off"
          {...invalidProps('token-label', errors, 'label')}
        />
        <FieldErrors id="token-label" errors={errors} field="label" />
      </div>
      {props.tenants && (
        <div>
          <label for="token-for">For</label>
          <select id="token-for" name="for" {...invalidProps('token-for', errors, 'for')}>
            <option value="">Choose a tenant, or the operator</option>
            {props.tenants.map((t) => (
              <option value={t.id} selected={props.draft.for === t.id}>
                {t.name}
              </option>
            ))}
            <option value="operator" selected={props.draft.for === 'operator'}>
              operator (every tenant)
            </option>
          </select>
          <FieldErrors id="token-for" errors={errors} field="for" />
        </div>
      )}
      <div>
        <button type="submit">Create token</button>
      </div>
    </form>
  )
}

async function render(deps: ServiceDeps, c: Context<DashEnv>, extras: Extras = {}) {
  const viewer = c.get('viewer')
  const operator = viewer.actor.kind === 'operator'
  const cursorText = c.req.query('cursor')
  const cursor = cursorText ? (decodeCursor(cursorText) ?? undefined) : undefined
  const [page, tenants] = await Promise.all([
    listTokens(deps, viewer.actor, cursor ? { cursor } : {}),
    operator ? listTenants(deps, viewer.actor) : Promise.resolve(null),
  ])
  const names = tenants ? new Map(tenants.map((t) => [t.id, t.name])) : null
  const done = DONE[c.req.query('done') ?? '']
  const errors = extras.errors ?? noErrors()
  return htmlPage(
    c,
    <Layout title="API tokens" viewer={viewer} current="/tokens">
      {done && <Notice kind="ok">{done}</Notice>}
      {extras.created && (
        <SecretOnce
          id="new-token"
          title={`Token "${extras.created.label}" created.`}
          label="The new token"
          secret={extras.created.token}
        />
      )}
      <section aria-labelledby="tokens">
        <h2 id="tokens">Tokens</h2>
        <p class="muted">
          A token signs in here and authenticates the API. Revoking one ends every session signed in
          with it.
        </p>
        {page.items.length === 0 ? (
          <p>No tokens.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  {names && <th scope="col">Tenant</th>}
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((t) => (
                  <TokenRow viewer={viewer} token={t} tenants={names} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav class="pager" aria-label="Token pages">
          {cursor && <a href="/tokens">First page</a>}
          {page.nextCursor && (
            <a href={`/tokens?cursor=${encodeURIComponent(page.nextCursor)}`} rel="next">
              Next page
            </a>
          )}
        </nav>
      </section>
      <section aria-labelledby="new-token-heading">
        <h2 id="new-token-heading">Create a token</h2>
        <GeneralErrors errors={errors} />
        <CreateForm
          viewer={viewer}
          errors={errors}
          draft={extras.draft ?? { label: '', for: '' }}
          tenants={tenants}
        />
      </section>
    </Layout>,
    extras.status ?? 200,
  )
}

export function tokenRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const g = guards(deps)

  mount(app, 'GET', '/tokens', g.page, (c) => render(deps, c))

  mount(app, 'POST', '/tokens', g.form, async (c) => {
    const actor = c.get('viewer').actor
    const draft = { label: await formText(c, 'label'), for: await formText(c, 'for') }
    const target =
      actor.kind === 'tenant'
        ? {}
        : draft.for === 'operator'
          ? { operator: true as const }
          : draft.for !== ''
            ? { tenantId: draft.for }
            : {}
    try {
      const input = parseInput(TokenInput, { label: draft.label, ...target })
      const created = await createToken(deps, actor, input)
      // Shown on this answer only: a redirect would have to keep the secret somewhere.
      return render(deps, c, { created })
    } catch (err) {
      const errors = formErrors(err, forField)
      return render(deps, c, { errors, draft, status: statusOf((err as DomainError).code) })
    }
  })

  mount(app, 'POST', '/tokens/:id/revoke', g.form, async (c) => {
    const actor = c.get('viewer').actor
    const id = c.req.param('id') ?? ''
    await revokeToken(deps, actor, id)
    // This session's token: the session is over, and the next page would say so anyway.
    if (id === actor.tokenId) return c.redirect('/sign-in', 303)
    return c.redirect('/tokens?done=revoked', 303)
  })
  return app
}
