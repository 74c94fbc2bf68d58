import { describe, expect, it } from 'vitest'
import type { TlsHealth } from './health.js'
import { enforceReadiness, tlsHealth } from './health.js'

// The window totals of health.test.ts's fixture set: 3 of 3 days with reports, 390 successful
// and 17 failed sessions, and the mx patterns named by policies that had successful sessions.
function healthOf(
  daysWithReports: number,
  successful: number,
  failed: number,
  mx: [string, number][],
): TlsHealth {
  const empty = tlsHealth({
    domain: 'example.com',
    reports: [],
    served: [],
    now: new Date('2026-11-05T10:00:00Z'),
    days: 3,
  })
  const mxWithSuccessfulSessions = mx.map(([name, successfulSessions]) => ({
    mx: name,
    successfulSessions,
  }))
  return {
    ...empty,
    totals: {
      ...empty.totals,
      daysWithReports,
      successfulSessions: successful,
      failedSessions: failed,
      mxWithSuccessfulSessions,
    },
  }
}

const health = healthOf(3, 390, 17, [
  ['*.mail.example.com', 360],
  ['mx-old.example.com', 30],
  ['mx1.example.com', 360],
])

describe('enforceReadiness', () => {
  const policyMx = ['mx1.example.com', '*.mail.example.com']

  it('when there are enough days, few failures and every mx was seen, then it is ready, with the evidence', () => {
    // 17 / (390 + 17) = 4.18 % ≤ 5 %.
    expect(enforceReadiness(health, { minDays: 3, maxFailureRate: 0.05, policyMx })).toEqual({
      ready: true,
      reasons: [
        '3 of 3 days have reports; 3 needed',
        'failure rate 4.18% of 407 sessions; at most 5.00% allowed',
        'every mx of the policy was named by policies with successful sessions',
      ],
    })
  })

  it.each<[string, { minDays: number; maxFailureRate: number; policyMx: string[] }, string[]]>([
    [
      'too few days',
      { minDays: 4, maxFailureRate: 0.05, policyMx },
      ['3 of 3 days have reports; 4 needed'],
    ],
    [
      'too many failures',
      { minDays: 1, maxFailureRate: 0.04, policyMx },
      ['failure rate 4.18% of 407 sessions; at most 4.00% allowed'],
    ],
    [
      'an mx nobody reported',
      { minDays: 1, maxFailureRate: 1, policyMx: [...policyMx, 'MX2.example.com.'] },
      ['no successful sessions reported for mx mx2.example.com'],
    ],
    [
      'an empty mx list',
      { minDays: 1, maxFailureRate: 1, policyMx: [] },
      ['the policy lists no mx to check'],
    ],
  ])('when there are %s, then it is not ready and says why', (_, opts, reasons) => {
    expect(enforceReadiness(health, opts)).toEqual({ ready: false, reasons })
  })

  it('when the policy has a wildcard, then a reported host one label below it counts', () => {
    const opts = { minDays: 1, maxFailureRate: 1, policyMx: ['*.example.com'] }
    expect(enforceReadiness(health, opts).ready).toBe(true)
  })

  it('when the wildcard is two labels up, then the host does not count (RFC 8461 §4.1)', () => {
    const h: TlsHealth = {
      ...health,
      totals: {
        ...health.totals,
        mxWithSuccessfulSessions: [{ mx: 'a.b.example.com', successfulSessions: 5 }],
      },
    }
    const opts = { minDays: 1, maxFailureRate: 1, policyMx: ['*.example.com'] }
    expect(enforceReadiness(h, opts).reasons).toEqual([
      'no successful sessions reported for mx *.example.com',
    ])
  })

  it('when nothing was reported, then it is not ready for days, sessions and mx', () => {
    const empty = tlsHealth({
      domain: 'example.com',
      reports: [],
      served: [],
      now: new Date(0),
      days: 7,
    })
    expect(enforceReadiness(empty, { minDays: 7, maxFailureRate: 0.1, policyMx }).reasons).toEqual([
      '0 of 7 days have reports; 7 needed',
      'no sessions were reported',
      'no successful sessions reported for mx mx1.example.com, *.mail.example.com',
    ])
  })
})
