/**
 * The parts of a domain's BIMI page (issue 14): selectors with their logo, the records to
 * publish, mark certificates, DMARC readiness, and the upload, convert and certificate forms.
 * Logos are shown only as <img> from our own paths (served with a restrictive CSP and nosniff);
 * no SVG is ever put into the page. Every outside text (validator messages, titles, the
 * certificate's warnings) is JSX text, escaped by hono.
 */
import type { DnsRecord } from '../../core/dns/records.js'
import type { FieldIssue } from '../../core/errors.js'
import type { BimiView } from '../../services/bimi/bimi-logo.js'
import type { BimiReadiness } from '../../services/bimi/bimi-readiness.js'
import { LOGO_PREFIX_LENGTH } from '../../services/bimi/bimi-urls.js'
import { Csrf, type Viewer } from './layout.js'

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace('.000Z', 'Z') : '—')
export const bimiBase = (domain: string) => `/domains/${encodeURIComponent(domain)}/bimi`

/** The logo as the service host serves it: same origin, so the page's img-src 'self' allows it. */
const logoPath = (domain: string, sha256: string) =>
  `/logos/${encodeURIComponent(domain)}/${sha256.slice(0, LOGO_PREFIX_LENGTH)}.svg`

/** A refusal as the page shows it: the service's message and every reason with its rule id. */
export interface Refusal {
  /** Which form it answers, so the reasons appear beside that form. */
  form: 'upload' | 'convert' | 'certificate'
  message: string
  issues: FieldIssue[]
}

/** What the convert form produced: shown side by side, both from the sandboxed preview path. */
export interface ConvertedPreview {
  id: string
  /** What the title field said (shown again in the form). */
  title: string
  /** The converted logo's <title>, which mail clients may show as the brand name. */
  svgTitle: string | null
  changes: string[]
  valid: boolean
  errors: FieldIssue[]
  warnings: FieldIssue[]
}

export function Reasons(props: { refusal: Refusal | undefined; form: Refusal['form'] }) {
  const r = props.refusal
  if (!r || r.form !== props.form) return null
  return (
    <div class="notice error" role="alert" id={`${props.form}-error`}>
      <p>{r.message}</p>
      {r.issues.length > 0 && <IssueList issues={r.issues} />}
    </div>
  )
}

function IssueList(props: { issues: FieldIssue[] }) {
  return (
    <ul class="reasons">
      {props.issues.map((i) => (
        <li>
          {i.rule && <code>{i.rule}</code>}
          {i.path && <span class="muted"> at {i.path}</span>}: {i.message}
        </li>
      ))}
    </ul>
  )
}

export function Selectors(props: { domain: string; bimi: BimiView[] }) {
  return (
    <section aria-labelledby="selectors">
      <h2 id="selectors">Selectors</h2>
      {props.bimi.length === 0 ? (
        <p class="muted">No logo yet: upload one below.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Selector</th>
                <th scope="col">Logo</th>
                <th scope="col">Logo URL</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {props.bimi.map((b) => (
                <tr>
                  <th scope="row">{b.selector}</th>
                  <td>
                    <img
                      src={logoPath(props.domain, b.logoSha256)}
                      alt={`Logo of selector ${b.selector}`}
                      width="96"
                      height="96"
                    />
                  </td>
                  <td>
                    <code>{b.urls.logo}</code>
                  </td>
                  <td>{iso(b.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export function BimiRecords(props: { records: DnsRecord[] }) {
  return (
    <section aria-labelledby="bimi-records">
      <h2 id="bimi-records">Records to publish</h2>
      {props.records.length === 0 ? (
        <p class="muted">None yet: a record appears once a selector has its logo.</p>
      ) : (
        props.records.map((r) => (
          <div class="record-row">
            <p>
              <code>{r.name}</code> {r.type}
            </p>
            <pre>{r.value}</pre>
            <p class="hint">{r.purpose}</p>
          </div>
        ))
      )}
    </section>
  )
}

export function Certificates(props: {
  bimi: BimiView[]
  readiness: BimiReadiness
  viewer: Viewer
  domain: string
  refusal: Refusal | undefined
}) {
  const warningsOf = (selector: string) =>
    props.readiness.certificates.find((c) => c.selector === selector)?.warnings ?? []
  return (
    <section aria-labelledby="certificates">
      <h2 id="certificates">Mark certificates</h2>
      {props.bimi.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Selector</th>
                <th scope="col">Certificate</th>
                <th scope="col">Matches the logo</th>
                <th scope="col">Valid to</th>
                <th scope="col">Warnings</th>
              </tr>
            </thead>
            <tbody>
              {props.bimi.map((b) => (
                <tr>
                  <th scope="row">{b.selector}</th>
                  <td>{b.vmcPem ? 'present' : 'none'}</td>
                  <td>
                    {b.vmcMatchesLogo === null ? (
                      '—'
                    ) : b.vmcMatchesLogo ? (
                      <span class="state-ok">yes</span>
                    ) : (
                      <span class="state-error">no: a= is not published</span>
                    )}
                  </td>
                  <td>{iso(b.vmcNotAfter)}</td>
                  <td>
                    {warningsOf(b.selector).length === 0 ? (
                      'none'
                    ) : (
                      <ul>
                        {warningsOf(b.selector).map((w) => (
                          <li class="state-warning">{w}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Reasons refusal={props.refusal} form="certificate" />
      <form
        method="post"
        action={`${bimiBase(props.domain)}/certificate`}
        enctype="multipart/form-data"
        class="stack"
      >
        <Csrf viewer={props.viewer} />
        <SelectorField id="cert-selector" />
        <div>
          <label for="certificate">Mark certificate (VMC or CMC), PEM chain</label>
          <input id="certificate" name="certificate" type="file" accept=".pem,.crt" required />
        </div>
        <button type="submit">Upload the certificate</button>
      </form>
    </section>
  )
}

export function Dmarc(props: { readiness: BimiReadiness }) {
  const blockers = props.readiness.dmarcBlockers
  return (
    <section aria-labelledby="dmarc">
      <h2 id="dmarc">DMARC readiness</h2>
      {blockers.length === 0 ? (
        <p class="state-ok">Ready: DMARC enforcement lets receivers show the logo (BIMI §8.1).</p>
      ) : (
        <div class="notice">
          <p>
            <span class="state-error">Not ready:</span> receivers will not show the logo until these
            are fixed (BIMI §8.1).
          </p>
          <ul>
            {blockers.map((b) => (
              <li>{b}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}

export function SelectorField(props: { id: string; value?: string }) {
  return (
    <div>
      <label for={props.id}>Selector</label>
      <input
        id={props.id}
        name="selector"
        value={props.value ?? 'default'}
        required
        aria-describedby={`${props.id}-hint`}
      />
      <p class="hint" id={`${props.id}-hint`}>
        DNS labels; <code>default</code> unless you publish several logos.
      </p>
    </div>
  )
}
