/**
 * `/domains/:name` (issue 14): everything about one domain on one page — state, policy editor,
 * records, DNS mode, live checks, retirement — and the form posts that change it. Every change
 * goes through the same services as the API; a refused form is shown again with each problem
 * beside its field.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { renderBind } from '../../core/dns/bind.js'
import { DomainError } from '../../core/errors.js'
import { parseInput } from '../../core/issues.js'
import { MtaStsPolicyInput } from '../../core/mta-sts/policy.js'
import {
  checkNow,
  checksOf,
  mxSuggestion,
  type MxSuggestion,
} from '../../services/checks/domain-checks.js'
import type { ServiceDeps } from '../../services/deps.js'
import { setDnsMode } from '../../services/dns/dns-mode.js'
import { domainStatus } from '../../services/domains/domain-status.js'
import { recordsFor } from '../../services/domains/records.js'
import { retireDomain } from '../../services/domains/retire-domain.js'
import { serviceWarnings } from '../../services/domains/service-warnings.js'
import { setPolicy } from '../../services/mta-sts/mta-sts.js'
import { statusOf } from '../errors.js'
import type { DashEnv } from './dashboard-env.js'
import { domainParam } from './domain-param.js'
import {
  Checks,
  DnsMode,
  draftOf,
  PolicyEditor,
  Records,
  Retire,
  type PolicyDraft,
} from './domain-sections.js'
import { formText } from './form-body.js'
import { formErrors, type FormErrors } from './form-errors.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'

/** Outcomes shown after a redirect (`?done=`): fixed texts, never echoed from the query. */
const DONE: Record<string, string> = {
  policy: 'Policy saved.',
  dns: 'DNS mode saved.',
  checked: 'Checked just now.',
  retired: 'Retirement started.',
  added: 'Domain added.',
}

interface PageExtras {
  draft?: PolicyDraft
  policyErrors?: FormErrors
  suggestion?: MxSuggestion
  checkNotice?: string
  status?: ContentfulStatusCode
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '—')

async function render(deps: ServiceDeps, c: Context<DashEnv>, extras: PageExtras = {}) {
  const viewer = c.get('viewer')
  const name = domainParam(c)
  const [status, records, warnings, checks] = await Promise.all([
    domainStatus(deps, viewer.actor, name),
    recordsFor(deps, viewer.actor, name),
    serviceWarnings(deps),
    checksOf(deps, viewer.actor, name, { limit: 20 }),
  ])
  const d = status.domain
  const done = DONE[c.req.query('done') ?? '']
  const active = d.status === 'active'
  return htmlPage(
    c,
    <Layout title={d.name} viewer={viewer} current="/domains">
      {done && (
        <p class="notice ok" role="status">
          {done}
        </p>
      )}
      <section aria-labelledby="state">
        <h2 id="state">State</h2>
        <p>
          Status: <strong>{d.status}</strong>
          {d.status === 'pending' && ' — publish the verification record below to prove control'}
        </p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">DNS</th>
                <th scope="col">Certificate</th>
              </tr>
            </thead>
            <tbody>
              {status.hostnames.map((h) => (
                <tr>
                  <th scope="row">{h.name}</th>
                  <td>
                    {h.cert?.dnsStatus
                      ? `${h.cert.dnsStatus}${h.cert.dnsDetail ? ` (${h.cert.dnsDetail})` : ''}`
                      : '—'}
                  </td>
                  <td>
                    {h.cert
                      ? `${h.cert.status}${h.cert.notAfter ? `, valid to ${iso(h.cert.notAfter)}` : ''}`
                      : 'none yet'}
                    {h.cert?.lastError && <span class="state-error"> — {h.cert.lastError}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <a href={`/domains/${encodeURIComponent(d.name)}/reports`}>TLS reports</a> ·{' '}
          <a href={`/domains/${encodeURIComponent(d.name)}/bimi`}>BIMI logo</a>
        </p>
        {status.enforceAdvice && (
          <div class={`notice ${status.enforceAdvice.ready ? 'ok' : ''}`}>
            <p>
              {status.enforceAdvice.ready
                ? 'Ready for enforce: the TLS reports and live checks show no obstacle.'
                : 'Not ready for enforce yet:'}
            </p>
            <ul>
              {status.enforceAdvice.reasons.map((r) => (
                <li>{r}</li>
              ))}
            </ul>
          </div>
        )}
      </section>
      {active && (
        <PolicyEditor
          viewer={viewer}
          domain={d.name}
          draft={extras.draft ?? draftOf(status.policy)}
          errors={extras.policyErrors}
          policyId={status.policy?.policyId ?? null}
        />
      )}
      <Records domain={d.name} records={records} warnings={warnings} />
      {active && deps.zone && <DnsMode viewer={viewer} domain={d.name} mode={d.dnsMode} />}
      {d.status !== 'pending' && (
        <Checks
          viewer={viewer}
          domain={d.name}
          state={checks}
          history={checks.history}
          suggestion={extras.suggestion ?? null}
          notice={extras.checkNotice}
        />
      )}
      {d.status !== 'pending' && (
        <Retire viewer={viewer} domain={d.name} status={d.status} removeAt={d.removeAt} />
      )}
    </Layout>,
    extras.status ?? 200,
  )
}

const back = (c: Context<DashEnv>, name: string, done: keyof typeof DONE) =>
  c.redirect(`/domains/${encodeURIComponent(name)}?done=${done}`, 303)

/** The policy form's fields as the API's input: one MX per line, max_age as a number. */
async function policyForm(c: Context<DashEnv>): Promise<PolicyDraft> {
  return {
    mode: await formText(c, 'mode'),
    mx: await formText(c, 'mx'),
    maxAge: (await formText(c, 'maxAge')).trim(),
  }
}

export function domainPageRoutes(deps: ServiceDeps) {
  return {
    show: (c: Context<DashEnv>) => render(deps, c),
    async savePolicy(c: Context<DashEnv>) {
      const name = domainParam(c)
      const draft = await policyForm(c)
      const input = {
        mode: draft.mode,
        mx: draft.mx
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== ''),
        maxAge: /^\d{1,12}$/.test(draft.maxAge) ? Number(draft.maxAge) : draft.maxAge,
      }
      try {
        await setPolicy(deps, c.get('viewer').actor, name, parseInput(MtaStsPolicyInput, input))
      } catch (err) {
        const policyErrors = formErrors(err)
        return render(deps, c, { draft, policyErrors, status: statusOf((err as DomainError).code) })
      }
      return back(c, name, 'policy')
    },
    async zoneFile(c: Context<DashEnv>) {
      const name = domainParam(c)
      const records = await recordsFor(deps, c.get('viewer').actor, name)
      return c.body(renderBind(records, await serviceWarnings(deps)), 200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="${name}.zone"`,
      })
    },
    async saveDns(c: Context<DashEnv>) {
      const name = domainParam(c)
      const mode = await formText(c, 'mode')
      if (mode !== 'self' && mode !== 'delegated') {
        throw new DomainError('VALIDATION', 'invalid request', [
          { path: 'mode', message: 'must be self or delegated' },
        ])
      }
      await setDnsMode(deps, c.get('viewer').actor, name, mode)
      return back(c, name, 'dns')
    },
    async check(c: Context<DashEnv>) {
      const name = domainParam(c)
      try {
        await checkNow(deps, c.get('viewer').actor, name)
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'RATE_LIMITED') throw err
        return render(deps, c, { checkNotice: err.message, status: 429 })
      }
      return back(c, name, 'checked')
    },
    async suggest(c: Context<DashEnv>) {
      const name = domainParam(c)
      try {
        return render(deps, c, {
          suggestion: await mxSuggestion(deps, c.get('viewer').actor, name),
        })
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'UPSTREAM') throw err
        return render(deps, c, { checkNotice: err.message, status: 502 })
      }
    },
    async retire(c: Context<DashEnv>) {
      const name = domainParam(c)
      await retireDomain(deps, c.get('viewer').actor, name, { force: false })
      return back(c, name, 'retired')
    },
  }
}
