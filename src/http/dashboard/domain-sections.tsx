/**
 * The parts of a domain's page (issue 14): policy editor, records to copy, delegated DNS,
 * live checks with their history, MX suggestion and retirement. Each form posts to its own
 * path under /domains/:name and the page is rendered again with the outcome.
 */
import type { DnsRecord } from '../../core/dns/records.js'
import type { CheckState, FindingEvent } from '../../core/checks/check-ports.js'
import type { StoredPolicy } from '../../core/ports.js'
import type { MxSuggestion } from '../../services/checks/domain-checks.js'
import { FieldErrors, GeneralErrors, invalidProps } from './fields.js'
import { noErrors, type FormErrors } from './form-errors.js'
import { Csrf, type Viewer } from './layout.js'

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '')
const base = (domain: string) => `/domains/${encodeURIComponent(domain)}`

/** What the policy form shows: the stored policy, or what was just submitted and refused. */
export interface PolicyDraft {
  mode: string
  mx: string
  maxAge: string
}

export const draftOf = (p: StoredPolicy | null): PolicyDraft => ({
  mode: p?.mode ?? 'testing',
  mx: (p?.mx ?? []).join('\n'),
  maxAge: String(p?.maxAge ?? 604800),
})

export function PolicyEditor(props: {
  viewer: Viewer
  domain: string
  draft: PolicyDraft
  errors?: FormErrors
  policyId: string | null
}) {
  const errors = props.errors ?? noErrors()
  return (
    <section aria-labelledby="policy">
      <h2 id="policy">MTA-STS policy</h2>
      {props.policyId && (
        <p class="muted">
          Served with id <code>{props.policyId}</code>
        </p>
      )}
      <GeneralErrors errors={errors} />
      <form method="post" action={`${base(props.domain)}/policy`} class="stack">
        <Csrf viewer={props.viewer} />
        <div>
          <label for="mode">Mode</label>
          <select id="mode" name="mode" {...invalidProps('mode', errors, 'mode')}>
            {['testing', 'enforce', 'none'].map((m) => (
              <option value={m} selected={props.draft.mode === m}>
                {m}
              </option>
            ))}
          </select>
          <FieldErrors id="mode" errors={errors} field="mode" />
        </div>
        <div>
          <label for="mx">MX hosts, one per line (a leading *. matches one label)</label>
          <textarea id="mx" name="mx" rows={4} {...invalidProps('mx', errors, 'mx')}>
            {props.draft.mx}
          </textarea>
          <FieldErrors id="mx" errors={errors} field="mx" />
        </div>
        <div>
          <label for="maxAge">max_age in seconds (RFC 8461 §3.2: at most 31557600)</label>
          <input
            id="maxAge"
            name="maxAge"
            inputmode="numeric"
            value={props.draft.maxAge}
            {...invalidProps('maxAge', errors, 'maxAge')}
          />
          <FieldErrors id="maxAge" errors={errors} field="maxAge" />
        </div>
        <div>
          <button type="submit">Save policy</button>
        </div>
      </form>
    </section>
  )
}

export function Records(props: { domain: string; records: DnsRecord[]; warnings: string[] }) {
  return (
    <section aria-labelledby="records">
      <h2 id="records">DNS records to publish</h2>
      {props.warnings.map((w) => (
        <p class="notice error">{w}</p>
      ))}
      {props.records.map((r, i) => (
        <div class="record-row">
          <label for={`record-${i}`}>
            {r.name} {r.type}
          </label>
          <textarea id={`record-${i}`} class="record" rows={2} readonly>
            {r.value}
          </textarea>
          <div>
            <button type="button" class="secondary copy" data-copy={`record-${i}`}>
              Copy
            </button>
          </div>
        </div>
      ))}
      <p>
        <a href={`${base(props.domain)}/records.zone`} download>
          Download as a zone file (BIND)
        </a>
      </p>
    </section>
  )
}

export function DnsMode(props: { viewer: Viewer; domain: string; mode: 'self' | 'delegated' }) {
  return (
    <section aria-labelledby="dns-mode">
      <h2 id="dns-mode">Who serves the TXT records</h2>
      <form method="post" action={`${base(props.domain)}/dns`} class="stack">
        <Csrf viewer={props.viewer} />
        <fieldset>
          <legend>DNS mode</legend>
          <label>
            <input type="radio" name="mode" value="self" checked={props.mode === 'self'} /> You
            publish them (self)
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              value="delegated"
              checked={props.mode === 'delegated'}
            />{' '}
            You CNAME them to our zone once; policy changes need no DNS edit (delegated)
          </label>
        </fieldset>
        <div>
          <button type="submit">Save DNS mode</button>
        </div>
      </form>
    </section>
  )
}

export function Checks(props: {
  viewer: Viewer
  domain: string
  state: CheckState
  history: FindingEvent[]
  suggestion: MxSuggestion | null
  notice?: string
}) {
  const b = base(props.domain)
  return (
    <section aria-labelledby="checks">
      <h2 id="checks">Live checks</h2>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.state.findings.length === 0 ? (
        <p class={props.state.runs.length > 0 ? 'state-ok' : 'muted'}>
          {props.state.runs.length > 0 ? 'No open problems.' : 'Not checked yet.'}
        </p>
      ) : (
        <ul>
          {props.state.findings.map((f) => (
            <li>
              <span class={`badge state-${f.severity}`}>{f.severity}</span> {f.message}{' '}
              <span class="muted">(since {iso(f.openedAt)})</span>
            </li>
          ))}
        </ul>
      )}
      <div class="search">
        <form method="post" action={`${b}/check`}>
          <Csrf viewer={props.viewer} />
          <button type="submit">Check now</button>
        </form>
        <form method="get" action={`${b}/mx-suggestion`}>
          <button type="submit" class="secondary">
            Suggest the mx list from live MX
          </button>
        </form>
      </div>
      {props.suggestion && (
        <div class="notice" role="status">
          <p>Live MX: {props.suggestion.live.join(', ') || 'none'}</p>
          <p>Not covered by the policy: {props.suggestion.uncovered.join(', ') || 'none'}</p>
          <p>Suggested mx list:</p>
          <pre>{props.suggestion.suggested.join('\n')}</pre>
        </div>
      )}
      {props.state.runs.length > 0 && (
        <details>
          <summary>When each check last ran</summary>
          <ul>
            {props.state.runs.map((r) => (
              <li>
                {r.kind}: {iso(r.ranAt)}
                {r.skipped && <span class="muted"> — not checked: {r.skipped}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {props.history.length > 0 && (
        <>
          <h3>History</h3>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Change</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {props.history.map((e) => (
                  <tr>
                    <td>{iso(e.at)}</td>
                    <td>{e.change}</td>
                    <td>{e.severity}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}

export function Retire(props: {
  viewer: Viewer
  domain: string
  status: string
  removeAt: Date | null
}) {
  if (props.status === 'retiring') {
    return (
      <section aria-labelledby="retire">
        <h2 id="retire">Retiring</h2>
        <p>
          Served with mode none until senders' cached policies expire; removed at{' '}
          <strong>{iso(props.removeAt)}</strong>.
        </p>
      </section>
    )
  }
  return (
    <section aria-labelledby="retire">
      <h2 id="retire">Retire this domain</h2>
      <p>
        The policy turns to mode none and stays served until every policy senders cached has expired
        (RFC 8461 §8.3); then the domain is removed.
      </p>
      <form method="post" action={`${base(props.domain)}/retire`}>
        <Csrf viewer={props.viewer} />
        <button type="submit" class="danger">
          Retire {props.domain}
        </button>
      </form>
    </section>
  )
}
