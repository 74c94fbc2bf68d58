import { describe, expect, it } from 'vitest'
import { tlsRptFindings } from './tlsrpt-findings.js'

const rule = { failurePercent: 5, minFailedSessions: 10, days: 3 }
const types = [
  { resultType: 'certificate-expired', failedSessions: 3 },
  { resultType: 'validation-failure', failedSessions: 40 },
  { resultType: 'sts-policy-fetch-error', failedSessions: 7 },
  { resultType: 'starttls-not-supported', failedSessions: 10 },
]

describe('TLS-RPT failures as a finding (issue 13)', () => {
  it.each([
    ['no sessions at all', 0, 0, 'enforce', null],
    ['below the minimum of failed sessions', 10, 9, 'enforce', null],
    ['at the threshold exactly', 950, 50, 'enforce', null],
    ['above it, in enforce', 900, 60, 'enforce', 'error'],
    ['above it, in testing', 900, 60, 'testing', 'warning'],
    ['above it, without a policy', 0, 60, null, 'warning'],
  ] as const)('when %s, then %s', (_, ok, failed, mode, severity) => {
    const found = tlsRptFindings(
      { successfulSessions: ok, failedSessions: failed, failuresByResultType: types },
      mode,
      rule,
    )

    expect(found.map((f) => f.severity)).toEqual(severity === null ? [] : [severity])
    for (const f of found) expect(f.key).toBe('tls-rpt:failure-rate')
  })

  it('when it fires, then the message has the share and the three largest result types', () => {
    const [f] = tlsRptFindings(
      { successfulSessions: 900, failedSessions: 60, failuresByResultType: types },
      'enforce',
      rule,
    )

    expect(f!.message).toBe(
      'senders reported 60 of 960 TLS sessions failing (6.3 %, above 5 %) over 3 days: ' +
        'validation-failure 40, starttls-not-supported 10, sts-policy-fetch-error 7',
    )
  })

  it('when a reporter sends a result type with controls, then the message shows it escaped', () => {
    const [f] = tlsRptFindings(
      {
        successfulSessions: 0,
        failedSessions: 20,
        failuresByResultType: [{ resultType: 'x\u001b[31m\nforged', failedSessions: 20 }],
      },
      'testing',
      rule,
    )

    expect(f!.message).toContain('x\\x1b[31m\\nforged 20')
  })
})
