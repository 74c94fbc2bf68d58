import { describe, expect, it } from 'vitest'
import { parseReportDateTime } from './date-time.js'

describe('parseReportDateTime', () => {
  it.each<[string, string, boolean]>([
    ['2022-09-15T00:00:00Z', '2022-09-15T00:00:00.000Z', false],
    ['2022-09-15T23:59:59Z', '2022-09-15T23:59:59.000Z', false],
    ['2022-09-15t23:59:59z', '2022-09-15T23:59:59.000Z', false],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z', false],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z', false],
    ['2024-01-09T00:00:00.5Z', '2024-01-09T00:00:00.500Z', false],
    ['2024-01-09T00:00:00.123456789Z', '2024-01-09T00:00:00.123Z', false],
    ['2024-01-09T02:00:00+02:00', '2024-01-09T00:00:00.000Z', false],
    ['2024-01-08T19:00:00-05:00', '2024-01-09T00:00:00.000Z', false],
    ['2024-01-09T00:00:00+00:00', '2024-01-09T00:00:00.000Z', false],
    // RFC 3339 §5.7: a leap second, held inside its own day.
    ['2016-12-31T23:59:60Z', '2016-12-31T23:59:59.999Z', false],
    // setUTCFullYear keeps a two-digit year literal instead of adding 1900.
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z', false],
    // Microsoft (microsoft-2023-01-10): no zone, read as UTC and flagged.
    ['2023-01-10T00:00:00', '2023-01-10T00:00:00.000Z', true],
    ['2023-01-10T23:59:59', '2023-01-10T23:59:59.000Z', true],
  ])('when the text is %s, then it is %s (zone-less: %s)', (text, iso, zoneless) => {
    const parsed = parseReportDateTime(text)
    expect(parsed?.date.toISOString()).toBe(iso)
    expect(parsed?.zoneless).toBe(zoneless)
  })

  it.each([
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-01-00T00:00:00Z',
    '2024-01-09T24:00:00Z',
    '2024-01-09T23:60:00Z',
    '2024-01-09T23:59:61Z',
    '2024-01-09T00:00:00+24:00',
    '2024-01-09T00:00:00+01:60',
    '2024-01-09T00:00:00+0100',
    '2024-01-09 00:00:00Z',
    '2024-01-09',
    '2024-1-9T00:00:00Z',
    '2024-01-09T00:00Z',
    '2024-01-09T00:00:00.Z',
    '2024-01-09T00:00:00.1234567890Z',
    '+2024-01-09T00:00:00Z',
    ' 2024-01-09T00:00:00Z',
    '2024-01-09T00:00:00Z ',
    '1704758400',
    '',
  ])('when the text is %j, then it is refused', (text) => {
    expect(parseReportDateTime(text)).toBeNull()
  })
})
