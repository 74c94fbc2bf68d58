/** A date-time as read from a report; `zoneless` marks the Microsoft form without an offset. */
export interface ReportDateTime {
  date: Date
  zoneless: boolean
}

// RFC 3339 §5.6 date-time; "T" and "Z" may be lower case (§5.6 NOTE). The offset is optional
// here only so the zone-less Microsoft form can be recognised and flagged by the caller.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})?$/

// Days per month in a common year; February is decided by isLeap.
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function daysInMonth(year: number, month: number): number {
  // Gregorian leap years, as RFC 3339 Appendix C computes them.
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 0)
}

function offsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0
  const hours = Number(zone.slice(1, 3))
  const minutes = Number(zone.slice(4, 6))
  // RFC 3339 §5.6: time-numoffset = ("+" / "-") time-hour ":" time-minute
  if (hours > 23 || minutes > 59) return null
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}

/** Parses an RFC 3339 §5.6 date-time, also accepting it without a zone (read as UTC). */
export function parseReportDateTime(text: string): ReportDateTime | null {
  const match = DATE_TIME.exec(text)
  if (match === null) return null
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = match.slice(1, 7).map(Number)
  const fraction = match[7] ?? ''
  const zone = match[8]
  // RFC 3339 §5.6 and §5.7: calendar ranges, and second 60 only as a leap second.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null
  if (h > 23 || mi > 59 || s > 60) return null
  const offset = zone === undefined ? 0 : offsetMinutes(zone)
  if (offset === null) return null
  const date = new Date(0)
  // setUTCFullYear keeps years 0000-0099 literal, where Date.UTC would add 1900.
  date.setUTCFullYear(y, mo - 1, d)
  // A leap second is held at :59.999 so it stays in its own minute, hour and day.
  const ms = s === 60 ? 999 : Number(fraction.padEnd(3, '0').slice(0, 3))
  date.setUTCHours(h, mi - offset, Math.min(s, 59), ms)
  return { date, zoneless: zone === undefined }
}
