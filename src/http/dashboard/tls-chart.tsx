/**
 * The TLS reports chart (issue 14): successful and failed sessions per UTC day as stacked bars,
 * drawn on the server as an inline <svg> — markup only, coloured by classes from app.css (the CSP
 * allows no inline style or script). Screen readers get a title and a summary (role="img"), and
 * the same numbers as a table beside it, so nothing is said by the bars or their colour alone.
 */
import type { DayHealth } from '../../core/tls-rpt/health.js'

/** The drawing's own units; the browser scales it to the page width (`.chart` in app.css). */
export const CHART_WIDTH = 720
export const CHART_HEIGHT = 240
// Room for the busiest day's count, e.g. "12,345,678", at the 16px label size (app.css).
const LEFT = 100
const BOTTOM = 24
const TOP = 8
// A day with a handful of failures among millions of sessions would round to 0 px and look
// clean; the failed part of a bar is never thinner than this.
const MIN_FAILED_PX = 2

export interface Bar {
  day: string
  x: number
  width: number
  /** Top of the successful part; its height. */
  okY: number
  okHeight: number
  /** Top of the failed part (drawn above the successful part); its height. */
  failY: number
  failHeight: number
}

/** Geometry of one bar per day, scaled so the busiest day fills the plot height. */
export function chartBars(days: DayHealth[]): { bars: Bar[]; max: number } {
  const max = Math.max(0, ...days.map((d) => d.successfulSessions + d.failedSessions))
  const plot = CHART_HEIGHT - TOP - BOTTOM
  const slot = (CHART_WIDTH - LEFT) / Math.max(days.length, 1)
  const width = Math.max(slot * 0.7, 1)
  const scale = (n: number) => (max === 0 ? 0 : (n / max) * plot)
  const bars = days.map((d, i) => {
    const failHeight = d.failedSessions > 0 ? Math.max(scale(d.failedSessions), MIN_FAILED_PX) : 0
    const okHeight = Math.min(scale(d.successfulSessions), plot - failHeight)
    const okY = TOP + plot - okHeight
    return {
      day: d.day,
      x: round(LEFT + i * slot + (slot - width) / 2),
      width: round(width),
      okY: round(okY),
      okHeight: round(okHeight),
      failY: round(okY - failHeight),
      failHeight: round(failHeight),
    }
  })
  return { bars, max }
}

const round = (n: number) => Math.round(n * 10) / 10

const sessions = (n: number) => `${n.toLocaleString('en')} session${n === 1 ? '' : 's'}`

/** One-sentence summary of the window, for the chart's description. */
export function chartSummary(days: DayHealth[]): string {
  const ok = days.reduce((n, d) => n + d.successfulSessions, 0)
  const failed = days.reduce((n, d) => n + d.failedSessions, 0)
  const withFailures = days.filter((d) => d.failedSessions > 0).length
  const first = days[0]?.day ?? ''
  const last = days[days.length - 1]?.day ?? ''
  return (
    `From ${first} to ${last}: ${sessions(ok)} successful and ${sessions(failed)} failed; ` +
    `${withFailures} of ${days.length} days had failures. The table below gives each day.`
  )
}

/** The per-day chart; `id` prefixes the ids its title and description are referred to by. */
export function TlsChart(props: { days: DayHealth[]; id: string }) {
  const { bars, max } = chartBars(props.days)
  const base = TOP + (CHART_HEIGHT - TOP - BOTTOM)
  const labelled = [0, Math.floor((bars.length - 1) / 2), bars.length - 1]
  const byDay = new Map(props.days.map((d) => [d.day, d]))
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
      role="img"
      aria-labelledby={`${props.id}-title ${props.id}-desc`}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id={`${props.id}-title`}>Sessions per day: successful and failed</title>
      <desc id={`${props.id}-desc`}>{chartSummary(props.days)}</desc>
      <line class="chart-axis" x1={LEFT} y1={base} x2={CHART_WIDTH} y2={base} />
      <text class="chart-label" x={LEFT - 6} y={TOP + 10} text-anchor="end">
        {max.toLocaleString('en')}
      </text>
      <text class="chart-label" x={LEFT - 6} y={base} text-anchor="end">
        0
      </text>
      {bars.map((b, i) => {
        const d = byDay.get(b.day)!
        return (
          <g>
            <title>{`${b.day}: ${sessions(d.successfulSessions)} successful, ${sessions(d.failedSessions)} failed`}</title>
            {b.okHeight > 0 && (
              <rect class="bar-ok" x={b.x} y={b.okY} width={b.width} height={b.okHeight} />
            )}
            {b.failHeight > 0 && (
              <rect class="bar-fail" x={b.x} y={b.failY} width={b.width} height={b.failHeight} />
            )}
            {labelled.includes(i) && (
              <text
                class="chart-label"
                x={b.x + b.width / 2}
                y={CHART_HEIGHT - 6}
                text-anchor={i === 0 ? 'start' : i === bars.length - 1 ? 'end' : 'middle'}
              >
                {b.day}
              </text>
            )}
          </g>
        )
      })}
    </svg>
  )
}

/** The chart's legend: the colours named in text, so they are never the only cue. */
export function ChartLegend() {
  return (
    <p class="chart-legend">
      <span class="key key-ok" aria-hidden="true"></span> successful sessions (lower part of each
      bar) <span class="key key-fail" aria-hidden="true"></span> failed sessions (upper part)
    </p>
  )
}

/** The chart's numbers as a table, in a <details> under it. */
export function ChartTable(props: { days: DayHealth[] }) {
  return (
    <details>
      <summary>The numbers per day</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Reports</th>
              <th scope="col">Successful sessions</th>
              <th scope="col">Failed sessions</th>
            </tr>
          </thead>
          <tbody>
            {[...props.days].reverse().map((d) => (
              <tr>
                <th scope="row">{d.day}</th>
                <td>{d.reports}</td>
                <td>{d.successfulSessions}</td>
                <td>{d.failedSessions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  )
}
