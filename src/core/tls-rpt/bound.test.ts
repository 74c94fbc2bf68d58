import { describe, expect, it } from 'vitest'
import { detail, policy, report } from '../../../test/fixtures/tlsrpt/report-builders.js'
import { boundReport } from './bound.js'
import { parseReport, type NormalizedReport } from './report.js'
import { tallyReport, TALLY_ENTRIES } from './tally.js'

const parsed = (json: unknown): NormalizedReport => {
  const r = parseReport(json)
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.report
}
const details = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => detail({ 'failed-session-count': 1, ...extra(i) }))
const BOUNDS = { policies: 3, detailsPerPolicy: 5, parsedBytes: 256 * 1024 }

describe('boundReport', () => {
  it('when a report is within the caps, then it is kept whole with no markers', () => {
    const r = parsed(report())
    expect(boundReport(r, BOUNDS)).toEqual(r)
  })

  it('when a policy has more failure-details than the cap, then the rest are summed per type', () => {
    const many = details(12, (i) => ({
      'result-type': i < 9 ? 'certificate-expired' : 'sts-webpki-invalid',
    }))
    const b = boundReport(
      parsed(report({ policies: [policy({}, { 'failure-details': many })] })),
      BOUNDS,
    )
    expect(b.policies[0]!.failureDetails).toHaveLength(5)
    expect(b.policies[0]!.omittedFailureDetails).toEqual({
      count: 7,
      failedSessions: 7,
      byResultType: [
        { resultType: 'certificate-expired', failedSessions: 4 },
        { resultType: 'sts-webpki-invalid', failedSessions: 3 },
      ],
      otherResultTypes: 0,
    })
  })

  it('when a report has more policies than the cap, then the rest are summed and marked', () => {
    const b = boundReport(
      parsed(report({ policies: Array.from({ length: 5 }, () => policy()) })),
      BOUNDS,
    )
    expect(b.policies).toHaveLength(3)
    expect(b.omittedPolicies).toMatchObject({
      count: 2,
      successfulSessions: 2 * 5326,
      failedSessions: 2 * 303,
      failureDetails: 2,
      byResultType: [{ resultType: 'certificate-expired', failedSessions: 200 }],
    })
  })

  it('when rows exceed the byte budget, then the stored form stays near it whatever the report', () => {
    const long = (i: number) => ({ 'additional-information': `${i}${'x'.repeat(4000)}` })
    const policies = Array.from({ length: 3 }, () =>
      policy({}, { 'failure-details': details(1000, long) }),
    )
    const r = parsed(report({ policies }))
    const b = boundReport(r, { policies: 100, detailsPerPolicy: 1000, parsedBytes: 64 * 1024 })
    expect(JSON.stringify(r).length).toBeGreaterThan(10_000_000)
    expect(JSON.stringify(b).length).toBeLessThan(64 * 1024 + 16 * 1024)
    const kept = b.policies.reduce((n, p) => n + p.failureDetails.length, 0)
    const omitted =
      b.policies.reduce((n, p) => n + (p.omittedFailureDetails?.count ?? 0), 0) +
      (b.omittedPolicies?.failureDetails ?? 0)
    expect(kept + omitted).toBe(3000)
  })
})

describe('tallyReport', () => {
  it('when a report has policies for two domains, then each gets its own sums', () => {
    const sub = policy({
      'policy-domain': 'sub.company-y.example',
      'policy-type': 'no-policy-found',
      'policy-string': [],
    })
    const t = tallyReport(parsed(report({ policies: [policy(), sub] })))
    expect(t.map((x) => x.domain)).toEqual(['company-y.example', 'sub.company-y.example'])
    expect(t[0]!.tally).toMatchObject({
      successful: 5326,
      failed: 303,
      policies: [['mode: testing\nmx: *.mail.company-y.example\nversion: STSv1', 5629]],
      byType: [['certificate-expired', 100]],
      byMx: [['mx1.mail.company-y.example', 100]],
      byIp: [['2001:db8:abcd:0012::1', 100]],
    })
    expect(t[1]!.tally.policies).toEqual([['', 5629]])
  })

  it('when a report lists hundreds of hosts, then each list keeps its largest entries only', () => {
    const many = details(300, (i) => ({
      'receiving-mx-hostname': `mx${i}.example`,
      'failed-session-count': i + 1,
    }))
    const [own] = tallyReport(
      parsed(report({ policies: [policy({}, { 'failure-details': many })] })),
    )
    expect(own!.tally.byMx).toHaveLength(TALLY_ENTRIES)
    expect(own!.tally.byMx[0]).toEqual(['mx299.example', 300])
    expect(JSON.stringify(own!.tally).length).toBeLessThan(4096)
  })
})
