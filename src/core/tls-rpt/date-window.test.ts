import { describe, expect, it } from 'vitest'
import { dateWindowIssues } from './date-window.js'

const NOW = new Date('2026-11-05T12:00:00Z')
const range = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) })

describe('dateWindowIssues', () => {
  it.each([
    ['RFC 8460 Appendix B example', '2016-04-01T00:00:00Z', '2016-04-01T23:59:59Z', []],
    ['yesterday', '2026-11-04T00:00:00Z', '2026-11-04T23:59:59Z', []],
    ['ending two days ahead (clock skew)', '2026-11-06T00:00:00Z', '2026-11-07T12:00:00Z', []],
    [
      'year 1',
      '0001-01-01T00:00:00Z',
      '0001-01-01T23:59:59Z',
      ['date-range.start-datetime', 'date-range.end-datetime'],
    ],
    [
      'year 9999',
      '9999-12-31T00:00:00Z',
      '9999-12-31T23:59:59Z',
      ['date-range.start-datetime', 'date-range.end-datetime'],
    ],
    [
      'ending next week',
      '2026-11-05T00:00:00Z',
      '2026-11-12T00:00:00Z',
      ['date-range.end-datetime'],
    ],
  ])('when the period is %s, then the issues name %j', (_name, start, end, paths) => {
    expect(dateWindowIssues(range(start, end), NOW).map((i) => i.path)).toEqual(paths)
  })
})
