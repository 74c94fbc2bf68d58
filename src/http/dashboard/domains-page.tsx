/**
 * `/domains` (issue 14): the caller's domains with their state at a glance — certificate, DNS,
 * live checks, policy mode, TLS-RPT sessions of the week, BIMI — searched by name and paged by
 * a keyset cursor (fast with 10,000 domains), and the form to add one.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { DomainOverviewRow } from '../../core/domain-overview.js'
import { parseInput } from '../../core/issues.js'
import { addDomain, DomainInput } from '../../services/domains/domains.js'
import { domainOverview, OVERVIEW_TLSRPT_DAYS } from '../../services/domains/domain-overview.js'
import type { ServiceDeps } from '../../services/deps.js'
import { decodeDomainCursor, encodeDomainCursor } from '../routes/domain-cursor.js'
import type { DashEnv } from './dashboard-env.js'
import { FieldErrors, GeneralErrors, invalidProps } from './fields.js'
import { formErrors, noErrors, type FormErrors } from './form-errors.js'
import { statusOf } from '../errors.js'
import { htmlPage } from './html-page.js'
import { Csrf, Layout, type Viewer } from './layout.js'
import { formText } from './form-body.js'
import type { DomainError } from '../../core/errors.js'

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '')

function CertCell(props: { row: DomainOverviewRow; now: Date }) {
  const c = props.row.certificate
  if (c === null) return <span class="muted">none yet</span>
  if (c.status === 'ok' && c.notAfter && c.notAfter <= props.now)
    return <span class="state-error">expired {day(c.notAfter)}</span>
  if (c.status === 'ok') return <span class="state-ok">valid to {day(c.notAfter)}</span>
  if (c.status === 'failed') return <span class="state-error">failing</span>
  return (
    <span class="state-warning">{c.status === 'dns_pending' ? 'waiting for DNS' : 'pending'}</span>
  )
}

function ChecksCell(props: { row: DomainOverviewRow }) {
  const { errors, warnings, checkedAt } = props.row
  if (checkedAt === null) return <span class="muted">not checked</span>
  if (errors + warnings === 0) return <span class="state-ok">no problems</span>
  return (
    <span class={errors > 0 ? 'state-error' : 'state-warning'}>
      {[
        errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : '',
        warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : '',
      ]
        .filter(Boolean)
        .join(', ')}
    </span>
  )
}

function TlsRptCell(props: { row: DomainOverviewRow }) {
  const r = props.row
  if (!r.tlsRpt) return <span class="muted">off</span>
  const all = r.successfulSessions + r.failedSessions
  if (all === 0) return <span class="muted">no reports</span>
  const share = (r.failedSessions / all) * 100
  return (
    <span class={r.failedSessions === 0 ? 'state-ok' : share > 1 ? 'state-error' : 'state-warning'}>
      {`${r.failedSessions} of ${all} failed`}
    </span>
  )
}

function DomainTable(props: { rows: DomainOverviewRow[]; operator: boolean; now: Date }) {
  return (
    <div class="table-wrap">
      <table class="cards">
        <caption class="muted">
          TLS-RPT: sessions reported over the last {OVERVIEW_TLSRPT_DAYS} days
        </caption>
        <thead>
          <tr>
            <th scope="col">Domain</th>
            {props.operator && <th scope="col">Tenant</th>}
            <th scope="col">Policy</th>
            <th scope="col">Certificate</th>
            <th scope="col">DNS</th>
            <th scope="col">Checks</th>
            <th scope="col">TLS-RPT</th>
            <th scope="col">BIMI</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <th scope="row">
                <a href={`/domains/${encodeURIComponent(r.name)}`}>{r.name}</a>
                {r.status !== 'active' && <span class="badge state-warning"> {r.status}</span>}
              </th>
              {props.operator && <td data-label="Tenant">{r.tenantName}</td>}
              <td data-label="Policy">{r.policyMode ?? <span class="muted">none</span>}</td>
              <td data-label="Certificate">
                <CertCell row={r} now={props.now} />
              </td>
              <td data-label="DNS">{r.dnsMode}</td>
              <td data-label="Checks">
                <ChecksCell row={r} />
              </td>
              <td data-label="TLS-RPT">
                <TlsRptCell row={r} />
              </td>
              <td data-label="BIMI">
                {r.bimiSelectors > 0 ? (
                  `${r.bimiSelectors} selector(s)`
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function AddDomainForm(props: { viewer: Viewer; errors: FormErrors; name: string }) {
  return (
    <form method="post" action="/domains" class="stack">
      <Csrf viewer={props.viewer} />
      <div>
        <label for="new-domain">Domain name</label>
        <input
          id="new-domain"
          name="name"
          value={props.name}
          required
          maxlength={253}
          autocomplete="off"
          {...invalidProps('new-domain', props.errors, 'name')}
        />
        <FieldErrors id="new-domain" errors={props.errors} field="name" />
      </div>
      <div>
        <button type="submit">Add domain</button>
      </div>
    </form>
  )
}

async function listPage(
  deps: ServiceDeps,
  c: Context<DashEnv>,
  form: { errors: FormErrors; name: string } = { errors: noErrors(), name: '' },
  status: ContentfulStatusCode = 200,
) {
  const viewer = c.get('viewer')
  const q = (c.req.query('q') ?? '').slice(0, 253)
  const cursor = c.req.query('after')
  const after = cursor ? decodeDomainCursor(cursor) : null
  const page = await domainOverview(deps, viewer.actor, { search: q, after })
  const search = q ? `&q=${encodeURIComponent(q)}` : ''
  return htmlPage(
    c,
    <Layout title="Domains" viewer={viewer} current="/domains">
      <form method="get" action="/domains" class="search" role="search">
        <label for="q" class="visually-hidden">
          Search domains
        </label>
        <input id="q" name="q" type="search" value={q} placeholder="part of a domain name" />
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      {page.rows.length === 0 ? (
        <p>{q ? 'No domain matches that search.' : 'No domains yet: add the first below.'}</p>
      ) : (
        <DomainTable
          rows={page.rows}
          operator={viewer.actor.kind === 'operator'}
          now={deps.clock.now()}
        />
      )}
      <nav class="pager" aria-label="Pages">
        {after && <a href={`/domains?${search.slice(1)}`}>First page</a>}
        {page.next && (
          <a href={`/domains?after=${encodeDomainCursor(page.next)}${search}`} rel="next">
            Next page
          </a>
        )}
      </nav>
      {viewer.actor.kind === 'tenant' && (
        <section aria-labelledby="add-domain">
          <h2 id="add-domain">Add a domain</h2>
          <GeneralErrors errors={form.errors} />
          <AddDomainForm viewer={viewer} errors={form.errors} name={form.name} />
        </section>
      )}
    </Layout>,
    status,
  )
}

export function domainListRoutes(deps: ServiceDeps) {
  return {
    list: (c: Context<DashEnv>) => listPage(deps, c),
    async add(c: Context<DashEnv>) {
      const name = await formText(c, 'name')
      try {
        const d = await addDomain(deps, c.get('viewer').actor, parseInput(DomainInput, { name }))
        return c.redirect(`/domains/${encodeURIComponent(d.name)}`, 303)
      } catch (err) {
        const errors = formErrors(err)
        return listPage(deps, c, { errors, name }, statusOf((err as DomainError).code))
      }
    },
  }
}
