import type { FieldIssue } from '../errors.js'

/**
 * The earliest report period accepted: 2016-01-01. RFC 8460 was published in 2018, but its own
 * example (Appendix B) is dated 2016-04-01 from the drafts, and imported archives may hold such
 * reports. Anything earlier (0001-01-01) is a forgery or a bug, and would sit in the view forever.
 */
export const EARLIEST_REPORT_MS = Date.UTC(2016, 0, 1)
/** How far past `now` a period may end: reporters' clocks and UTC-day rounding (RFC 8460 §4.1). */
export const FUTURE_SLACK_MS = 2 * 86_400_000

/** Issues for a date-range outside [2016-01-01, now + 2 days]; `now` comes from the caller. */
export function dateWindowIssues(range: { start: Date; end: Date }, now: Date): FieldIssue[] {
  const latest = now.getTime() + FUTURE_SLACK_MS
  const issues: FieldIssue[] = []
  for (const [name, date] of [
    ['start-datetime', range.start],
    ['end-datetime', range.end],
  ] as const) {
    const t = date.getTime()
    if (t < EARLIEST_REPORT_MS) {
      issues.push({ path: `date-range.${name}`, message: 'is before 2016-01-01' })
    } else if (t > latest) {
      issues.push({
        path: `date-range.${name}`,
        message: `is more than 2 days after the time of receipt (${now.toISOString()})`,
      })
    }
  }
  return issues
}
