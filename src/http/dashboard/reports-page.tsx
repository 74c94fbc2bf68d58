/**
 * `/domains/:name/reports` (issue 14): the domain's TLS health over 7, 30 or 90 days — sessions
 * per day as a chart and a table, failures by result type, failing MX hosts and sending IPs,
 * who reports, the enforce advice while the policy is testing — and the reports themselves,
 * newest first, each linking to its detail page (report-detail.tsx). Every string from a
 * report is attacker text: it reaches the page only as escaped JSX text.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import { CursorParam } from '../../core/cursor.js'
import { parseInput } from '../../core/issues.js'
import type { FailingEntry } from '../../core/tls-rpt/health.js'
import type { ServiceDeps } from '../../services/deps.js'
import { domainTlsHealth, enforceAdvice, listReports } from '../../services/tls-rpt/tls-reports.js'
import type { DashEnv } from './dashboard-env.js'
import { domainParam } from './domain-param.js'
import { errorPage } from './error-page.js'
import { guards, mount } from './guards.js'
import { htmlPage } from './html-page.js'
import { Layout } from './layout.js'
import { reportDetail } from './report-detail.js'
import { ChartLegend, ChartTable, TlsChart } from './tls-chart.js'

/** The windows offered: a week, a month, a quarter (the health view allows up to a year). */
const WINDOWS = ['7', '30', '90'] as const
/** Reports per page of the list: enough for a month of a few daily reporters. */
export const REPORTS_SHOWN = 50

const ReportsQuery = z.object({
  days: z.enum(WINDOWS, { error: 'must be 7, 30 or 90' }).default('30'),
  cursor: CursorParam.optional(),
})

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z')
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
const percent = (failed: number, all: number) =>
  all === 0 ? '—' : `${((failed / all) * 100).toFixed(2)}%`

/** A name → failed sessions table (MX hosts, sending IPs, result types), or a line saying none. */
function FailingTable(props: { id: string; title: string; what: string; rows: FailingEntry[] }) {
  return (
    <section aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.rows.length === 0 ? (
        <p>None in this period.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{props.what}</th>
                <th scope="col">Failed sessions</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <th scope="row">{r.name}</th>
                  <td>{r.failedSessions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

async function show(deps: ServiceDeps, c: Context<DashEnv>) {
  const viewer = c.get('viewer')
  const name = domainParam(c)
  const q = parseInput(ReportsQuery, { days: c.req.query('days'), cursor: c.req.query('cursor') })
  const health = await domainTlsHealth(deps, viewer.actor, name, Number(q.days))
  const [advice, page] = await Promise.all([
    enforceAdvice(deps, viewer.actor, name),
    listReports(deps, viewer.actor, name, {
      from: health.from,
      to: health.to,
      cursor: q.cursor,
      limit: REPORTS_SHOWN,
    }),
  ])
  const t = health.totals
  const base = `/domains/${encodeURIComponent(name)}/reports`
  return htmlPage(
    c,
    <Layout title={`TLS reports for ${name}`} viewer={viewer} current="/domains">
      <p>
        <a href={`/domains/${encodeURIComponent(name)}`}>Back to {name}</a>
      </p>
      <nav class="pager" aria-label="Period">
        {WINDOWS.map((d) => (
          <a href={`${base}?days=${d}`} aria-current={d === q.days ? 'page' : undefined}>
            Last {d} days
          </a>
        ))}
      </nav>
      <section aria-labelledby="sessions">
        <h2 id="sessions">
          Sessions from {health.from} to {health.to} (UTC)
        </h2>
        <p>
          {count(t.reports, 'report')} on {count(t.daysWithReports, 'day')}: {t.successfulSessions}{' '}
          successful and {t.failedSessions} failed sessions (failure rate{' '}
          {percent(t.failedSessions, t.successfulSessions + t.failedSessions)}).
        </p>
        <TlsChart days={health.days} id="tls-chart" />
        <ChartLegend />
        <ChartTable days={health.days} />
      </section>
      {advice && (
        <section aria-labelledby="advice">
          <h2 id="advice">Ready for enforce?</h2>
          <div class={`notice ${advice.ready ? 'ok' : ''}`}>
            <p>
              {advice.ready
                ? 'Yes: the reports support moving the policy from testing to enforce.'
                : 'Not yet: keep the policy in testing while these hold.'}
            </p>
            <ul>
              {advice.reasons.map((r) => (
                <li>{r}</li>
              ))}
            </ul>
          </div>
        </section>
      )}
      <FailingTable
        id="by-type"
        title="Failures by result type"
        what="Result type"
        rows={t.failuresByResultType.map((r) => ({
          name: r.resultType,
          failedSessions: r.failedSessions,
        }))}
      />
      <FailingTable id="mx" title="Failing MX hosts" what="MX host" rows={t.topFailingMxHosts} />
      <FailingTable
        id="ips"
        title="Failing sending IPs"
        what="Sending IP"
        rows={t.topFailingSendingIps}
      />
      <section aria-labelledby="reporters">
        <h2 id="reporters">Reporters</h2>
        {t.reporters.length === 0 ? (
          <p>No reports in this period.</p>
        ) : (
          <ul>
            {t.reporters.map((r) => (
              <li>{r}</li>
            ))}
          </ul>
        )}
      </section>
      <ReportList base={base} days={q.days} items={page.items} next={page.nextCursor} />
    </Layout>,
  )
}

function ReportList(props: {
  base: string
  days: string
  items: Awaited<ReturnType<typeof listReports>>['items']
  next: string | null
}) {
  return (
    <section aria-labelledby="reports">
      <h2 id="reports">Reports</h2>
      {props.items.length === 0 ? (
        <p>No reports received for this period.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Period start</th>
                <th scope="col">Reporter</th>
                <th scope="col">Successful</th>
                <th scope="col">Failed</th>
                <th scope="col">Received</th>
              </tr>
            </thead>
            <tbody>
              {props.items.map((r) => (
                <tr>
                  <th scope="row">
                    <a href={`${props.base}/${encodeURIComponent(r.id)}`}>{iso(r.startAt)}</a>
                  </th>
                  <td>{r.organization}</td>
                  <td>{r.successful}</td>
                  <td>{r.failed}</td>
                  <td>{iso(r.receivedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.next && (
        <nav class="pager" aria-label="Pages">
          <a href={`${props.base}?days=${props.days}&cursor=${encodeURIComponent(props.next)}`}>
            Older reports
          </a>
        </nav>
      )}
    </section>
  )
}

/** The TLS reports pages, each route behind the page guards. */
export function reportRoutes(deps: ServiceDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>()
  app.onError(errorPage)
  const g = guards(deps)
  mount(app, 'GET', '/domains/:name/reports', g.page, (c) => show(deps, c))
  mount(app, 'GET', '/domains/:name/reports/:id', g.page, (c) => reportDetail(deps, c))
  return app
}
