import { canonicalHost } from '../canonical-host.js'
import type { NormalizedReport } from './report.js'
import type { HealthFigures, MxSuccess, Tally } from './health-tally.js'
import { addTally, figuresOf, newTally } from './health-tally.js'
import { policyKey, tallyReport, type ReportTally } from './tally.js'

export type {
  FailingEntry,
  HealthFigures,
  MxSuccess,
  PolicyUse,
  ResultTypeCount,
} from './health-tally.js'

/** A stored report: our row id, who delivered it, and its parsed content. */
export interface HealthReport {
  id: string
  submitter: string
  report: NormalizedReport
}

/** A stored report as the view reads it: the tally computed at intake (tally.ts). */
export interface HealthRow {
  id: string
  organization: string
  reportId: string
  start: Date
  /** The sums for the domain asked about. */
  tally: ReportTally
}

/** A policy version we served, as rendered at /.well-known/mta-sts.txt. */
export interface ServedPolicy {
  policyId: string
  text: string
}

export interface HealthInput {
  /** The policy domain asked about, lower-case A-labels; other policies in a report are skipped. */
  domain: string
  /** Stored tallies (what the service reads). */
  rows?: HealthRow[]
  /** Whole reports, tallied here (tests, and rows stored before tallies existed). */
  reports?: HealthReport[]
  served: ServedPolicy[]
  now: Date
  /** Days in the window, today (UTC) included; 1 to MAX_HEALTH_DAYS. */
  days: number
}

/** One UTC day of the window. */
export interface DayHealth extends HealthFigures {
  /** YYYY-MM-DD, UTC. */
  day: string
  /** Reporters seen on an earlier day of the window but not on this one. */
  silentReporters: string[]
}

export interface TlsHealth {
  domain: string
  from: string
  to: string
  days: DayHealth[]
  totals: HealthFigures & { daysWithReports: number; mxWithSuccessfulSessions: MxSuccess[] }
}

/** Policies we did not serve, or that the sender did not quote, count under this id. */
export const UNKNOWN_POLICY = 'unknown'
/** A year and a day: a longer window is a different question (and a bigger response). */
export const MAX_HEALTH_DAYS = 366

const DAY_MS = 86_400_000

const dayNumber = (date: Date): number => Math.floor(date.getTime() / DAY_MS)
const dayName = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10)

function policyIdIndex(served: ServedPolicy[]): Map<string, string> {
  const index = new Map<string, string>()
  for (const { policyId, text } of served) {
    const key = policyKey(text.split(/\r?\n/))
    if (!index.has(key)) index.set(key, policyId)
  }
  return index
}

/** A whole report as a row: its tally for `domain`, or null when it has no policy for it. */
export function healthRowOf(report: HealthReport, domain: string): HealthRow | null {
  const own = tallyReport(report.report).find((t) => t.domain === canonicalHost(domain))
  if (!own) return null
  const { organizationName: organization, reportId, dateRange } = report.report
  return { id: report.id, organization, reportId, start: dateRange.start, tally: own.tally }
}

/**
 * Aggregates stored reports per UTC day for `GET /tls-health`. A report is attributed to the
 * day of its start-datetime: RFC 8460 §4.1 asks for whole UTC days, so a report spanning days
 * is either a late-starting day or an error, and splitting its counts would invent precision.
 */
export function tlsHealth(input: HealthInput): TlsHealth {
  const { domain, days } = input
  if (!Number.isInteger(days) || days < 1 || days > MAX_HEALTH_DAYS) {
    throw new RangeError(`days must be an integer from 1 to ${MAX_HEALTH_DAYS}`)
  }
  const last = dayNumber(input.now)
  const first = last - days + 1
  const index = policyIdIndex(input.served)
  // RFC 8460 §4.5: an sts policy-string is the policy the sender applied, line by line.
  const policyIdOf = (key: string) =>
    key === '' ? UNKNOWN_POLICY : (index.get(key) ?? UNKNOWN_POLICY)
  const rows = [
    ...(input.rows ?? []),
    ...(input.reports ?? []).flatMap((r) => healthRowOf(r, domain) ?? []),
  ]
  const perDay = new Map<number, Tally>()
  const totals = newTally()
  const seen = new Set<string>()
  for (const { id, organization, reportId, start, tally: report } of rows) {
    const day = dayNumber(start)
    // The same report can reach us twice (mail import and https, RFC 8460 §3 lets senders use
    // every rua), under different row ids and submitters: organization and report-id decide.
    const key = `${organization}\n${reportId}`
    if (day < first || day > last || seen.has(key) || report.policies.length === 0) continue
    seen.add(key)
    const tally = perDay.get(day) ?? newTally()
    perDay.set(day, tally)
    addTally(tally, id, organization, report, policyIdOf)
    addTally(totals, id, organization, report, policyIdOf)
  }
  const earlier = new Set<string>()
  const dayList: DayHealth[] = []
  for (let day = first; day <= last; day++) {
    const figures = figuresOf(perDay.get(day) ?? newTally())
    const today = new Set(figures.reporters)
    // The current day is not over and its reports come after it ends (RFC 8460 §4.1: a report
    // covers a whole UTC day), so nobody is silent on it yet.
    const silentReporters =
      day === last ? [] : [...earlier].filter((name) => !today.has(name)).sort()
    for (const name of today) earlier.add(name)
    dayList.push({ day: dayName(day), ...figures, silentReporters })
  }
  const mxWithSuccessfulSessions = [...totals.mxSuccess]
    .map(([mx, successfulSessions]) => ({ mx, successfulSessions }))
    .sort((a, b) => (a.mx < b.mx ? -1 : a.mx > b.mx ? 1 : 0))
  return {
    domain,
    from: dayName(first),
    to: dayName(last),
    days: dayList,
    totals: {
      ...figuresOf(totals),
      daysWithReports: perDay.size,
      mxWithSuccessfulSessions,
    },
  }
}

export { enforceReadiness } from './readiness.js'
export type { Readiness, ReadinessOptions } from './readiness.js'
