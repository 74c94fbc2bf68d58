/**
 * `/domains/:name/reports/:id` (issue 14): one TLS report — its summary, each policy with its
 * failure details as parsed (RFC 8460 §4.4), and the JSON exactly as received. All of it is the
 * reporter's text, so it is shown as escaped JSX text only, the raw JSON inside a <pre>.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { ServiceDeps } from '../../services/deps.js'
import { getReport } from '../../services/tls-rpt/tls-reports.js'
import type { DashEnv } from './dashboard-env.js'
import { domainParam } from './domain-param.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'

// Pretty-printing parses the JSON on the serving loop; past this size it is shown as received
// (the intake's body cap, TLSRPT_MAX_BYTES, defaults to 1 MiB, so typical reports fit).
const PRETTY_MAX_CHARS = 2 * 1024 * 1024

// The stored parsed form (core/tls-rpt/bound.ts) read back from JSON: only what is shown, and
// lenient, so a row stored by an older version still renders.
const Detail = z.object({
  resultType: z.string(),
  sendingMtaIp: z.string().optional(),
  receivingMxHostname: z.string().optional(),
  receivingIp: z.string().optional(),
  failedSessionCount: z.number(),
  failureReasonCode: z.string().optional(),
  additionalInformation: z.string().optional(),
})
const ParsedView = z.object({
  policies: z.array(
    z.object({
      policyType: z.string(),
      policyDomain: z.string(),
      policyString: z.array(z.string()).default([]),
      mxHost: z.array(z.string()).default([]),
      summary: z.object({
        totalSuccessfulSessionCount: z.number(),
        totalFailureSessionCount: z.number(),
      }),
      failureDetails: z.array(Detail).default([]),
      omittedFailureDetails: z.object({ count: z.number() }).optional(),
    }),
  ),
  omittedPolicies: z.object({ count: z.number() }).optional(),
})
type PolicyView = z.infer<typeof ParsedView>['policies'][number]

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z')

/** The raw JSON indented when it parses and is small enough; otherwise exactly as received. */
export function prettyJson(raw: string): string {
  if (raw.length > PRETTY_MAX_CHARS) return raw
  try {
    return JSON.stringify(JSON.parse(raw), null, 2)
  } catch {
    return raw
  }
}

function Policy(props: { p: PolicyView; n: number }) {
  const { p } = props
  return (
    <section class="report-policy" aria-labelledby={`policy-${props.n}`}>
      <h3 id={`policy-${props.n}`}>
        Policy {props.n}: {p.policyType} for {p.policyDomain}
      </h3>
      <p>
        {p.summary.totalSuccessfulSessionCount} successful and {p.summary.totalFailureSessionCount}{' '}
        failed sessions.
        {p.mxHost.length > 0 && ` MX hosts: ${p.mxHost.join(', ')}.`}
      </p>
      {p.policyString.length > 0 && <pre>{p.policyString.join('\n')}</pre>}
      {p.failureDetails.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>Failure details of policy {props.n}</caption>
            <thead>
              <tr>
                <th scope="col">Result type</th>
                <th scope="col">Failed sessions</th>
                <th scope="col">Receiving MX</th>
                <th scope="col">Sending IP</th>
                <th scope="col">Receiving IP</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {p.failureDetails.map((d) => (
                <tr>
                  <th scope="row">{d.resultType}</th>
                  <td>{d.failedSessionCount}</td>
                  <td>{d.receivingMxHostname ?? '—'}</td>
                  <td>{d.sendingMtaIp ?? '—'}</td>
                  <td>{d.receivingIp ?? '—'}</td>
                  <td>
                    {[d.failureReasonCode, d.additionalInformation].filter(Boolean).join(' — ') ||
                      '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.omittedFailureDetails && (
        <p>
          {p.omittedFailureDetails.count} more failure details are summed in the stored form; the
          raw JSON below has them all.
        </p>
      )}
    </section>
  )
}

/** The detail page; a report of another tenant's domain, or no such report, is NOT_FOUND. */
export async function reportDetail(deps: ServiceDeps, c: Context<DashEnv>): Promise<Response> {
  const viewer = c.get('viewer')
  const name = domainParam(c)
  const r = await getReport(deps, viewer.actor, name, c.req.param('id') ?? '')
  const parsed = ParsedView.safeParse(r.parsed)
  const rows: [string, string][] = [
    ['Reporter', r.organization],
    ['Report id', r.reportId],
    ['Contact', r.contact ?? '—'],
    ['Period', `${iso(r.startAt)} to ${iso(r.endAt)}`],
    ['Successful sessions', String(r.successful)],
    ['Failed sessions', String(r.failed)],
    ['Received', iso(r.receivedAt)],
    ['Delivered by', r.source],
  ]
  return htmlPage(
    c,
    <Layout title={`TLS report from ${r.organization}`} viewer={viewer} current="/domains">
      <p>
        <a href={`/domains/${encodeURIComponent(name)}/reports`}>Back to the reports of {name}</a>
      </p>
      <section aria-labelledby="summary">
        <h2 id="summary">Summary</h2>
        <div class="table-wrap">
          <table>
            <tbody>
              {rows.map(([k, v]) => (
                <tr>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {r.warnings.length > 0 && (
          <>
            <p>Accepted with these warnings:</p>
            <ul>
              {r.warnings.map((w) => (
                <li>{w}</li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section aria-labelledby="policies">
        <h2 id="policies">Policies</h2>
        {parsed.success ? (
          parsed.data.policies.map((p, i) => <Policy p={p} n={i + 1} />)
        ) : (
          <p>The parsed form of this report cannot be shown; the raw JSON below has it all.</p>
        )}
        {parsed.success && parsed.data.omittedPolicies && (
          <p>
            {parsed.data.omittedPolicies.count} more policies are summed in the stored form; the raw
            JSON below has them all.
          </p>
        )}
      </section>
      <section aria-labelledby="raw">
        <h2 id="raw">Raw JSON</h2>
        <pre tabindex={0} aria-labelledby="raw">
          {prettyJson(r.rawJson)}
        </pre>
      </section>
    </Layout>,
  )
}
