import { describe, expect, it } from 'vitest'
import type { HealthReport, ServedPolicy } from './health.js'
import { tlsHealth } from './health.js'
import { parseReport } from './report.js'

type Json = Record<string, unknown>

const served: ServedPolicy[] = [
  {
    policyId: 'pol1',
    text: 'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: *.mail.example.com\r\nmax_age: 604800\r\n',
  },
  {
    policyId: 'pol2',
    text: 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.mail.example.com\r\nmax_age: 604800\r\n',
  },
]
const MX = ['mx: mx1.example.com', 'mx: *.mail.example.com']
// The same policies as senders quote them: Google puts max_age before mx, Microsoft mx first.
const googleTesting = ['version: STSv1', 'mode: testing', 'max_age: 604800', ...MX]
const microsoftTesting = ['version: STSv1', 'mode: testing', ...MX, 'max_age: 604800']
const googleEnforce = ['version: STSv1', 'mode: enforce', 'max_age: 604800', ...MX]
const oursEnforce = served[1]!.text.trim().split('\r\n')
const stale = ['version: STSv1', 'mode: none', 'mx: mx-old.example.com', 'max_age: 86400']

const fail = (type: string, n: number, mx?: string, ip?: string): Json => ({
  'result-type': type,
  'failed-session-count': n,
  ...(mx === undefined ? {} : { 'receiving-mx-hostname': mx }),
  ...(ip === undefined ? {} : { 'sending-mta-ip': ip }),
})

const entry = (ok: number, failed: number, extra: Json = {}, details: Json[] = []): Json => ({
  policy: { 'policy-type': 'sts', 'policy-domain': 'example.com', ...extra },
  summary: { 'total-successful-session-count': ok, 'total-failure-session-count': failed },
  ...(details.length === 0 ? {} : { 'failure-details': details }),
})

function stored(
  id: string,
  org: string,
  reportId: string,
  start: string,
  policies: Json[],
  end = start.replace('00:00:00', '23:59:59'),
): HealthReport {
  const parsed = parseReport({
    'organization-name': org,
    'date-range': { 'start-datetime': start, 'end-datetime': end },
    'contact-info': 'tlsrpt@sender.example',
    'report-id': reportId,
    policies,
  })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
  return { id, submitter: `${org.toLowerCase()}.example`, report: parsed.report }
}

// Window: now = 2026-11-05 10:00Z, days = 3 → 2026-11-03, 2026-11-04, 2026-11-05.
const reports: HealthReport[] = [
  stored('r1', 'Google Inc.', 'g-03', '2026-11-03T00:00:00Z', [
    entry(
      100,
      4,
      { 'policy-string': googleTesting, 'mx-host': ['mx1.example.com', '*.mail.example.com'] },
      [
        fail('certificate-expired', 3, 'mx1.example.com', '192.0.2.1'),
        fail('starttls-not-supported', 1, 'A.Mail.Example.com.', '192.0.2.2'),
      ],
    ),
  ]),
  // Zone-less (Microsoft): read as UTC, so it is 2026-11-03 too.
  stored('r2', 'Microsoft Corporation', 'ms-03', '2026-11-03T00:00:00', [
    entry(50, 0, { 'policy-string': microsoftTesting }),
  ]),
  stored('r3', 'Google Inc.', 'g-04', '2026-11-04T00:00:00Z', [
    entry(200, 10, { 'policy-string': googleEnforce }, [
      fail('certificate-expired', 6, 'mx1.example.com', '192.0.2.1'),
      fail('validation-failure', 4, 'mx1.example.com', '192.0.2.3'),
    ]),
    // Another domain in the same report: skipped entirely.
    entry(999, 999, { 'policy-domain': 'other.example' }, [
      fail('certificate-expired', 999, 'mx.other.example', '192.0.2.99'),
    ]),
  ]),
  // mail.ru style: fetch errors without host or IP, details adding up to more than the total.
  stored(
    'r4',
    'Mail.ru',
    'mr-04',
    '2026-11-04T00:00:00Z',
    [entry(0, 1, {}, [fail('sts-policy-fetch-error', 1), fail('sts-policy-fetch-error', 1)])],
    '2026-11-05T00:00:00Z',
  ),
  // Spans two days: attributed to its start day, 2026-11-04.
  stored(
    'r8',
    'Comcast',
    'cc-04',
    '2026-11-04T12:00:00Z',
    [entry(10, 0, { 'policy-string': oursEnforce, 'mx-host': ['mx1.example.com'] })],
    '2026-11-05T12:00:00Z',
  ),
  stored('r5', 'Microsoft Corporation', 'ms-05', '2026-11-05T00:00:00', [
    entry(30, 2, { 'policy-string': stale }, [
      fail('made-up-type', 2, 'b.mail.example.com', '2001:DB8::9'),
    ]),
  ]),
  // The same Google report again (mail import after https): different row and submitter, skipped.
  {
    ...stored('r6', 'Google Inc.', 'g-04', '2026-11-04T00:00:00Z', [entry(200, 10)]),
    submitter: 'mail',
  },
  // Before the window: Yahoo is never seen, so never silent.
  stored('r7', 'Yahoo', 'y-02', '2026-11-02T23:59:59Z', [entry(5, 0)]),
  // Another domain only: not counted, so Example Co. is never a reporter of example.com.
  stored('r9', 'Example Co.', 'x-05', '2026-11-05T00:00:00Z', [
    entry(7, 0, { 'policy-domain': 'sub.example.com' }),
  ]),
]

const health = tlsHealth({
  domain: 'example.com',
  reports,
  served,
  now: new Date('2026-11-05T10:00:00Z'),
  days: 3,
})

describe('tlsHealth over the hand-computed fixture set', () => {
  it('when reports fall on 2026-11-03, then the day matches the hand sums', () => {
    // r1 + r2: successful 100 + 50 = 150, failed 4 + 0 = 4; types 3 expired, 1 starttls;
    // r1 and r2 quote testing (Google and Microsoft line orders) → pol1: 104 + 50 = 154.
    expect(health.days[0]).toEqual({
      day: '2026-11-03',
      reports: 2,
      reportIds: ['r1', 'r2'],
      successfulSessions: 150,
      failedSessions: 4,
      failuresByResultType: [
        { resultType: 'certificate-expired', failedSessions: 3 },
        { resultType: 'starttls-not-supported', failedSessions: 1 },
      ],
      topFailingMxHosts: [
        { name: 'mx1.example.com', failedSessions: 3 },
        { name: 'a.mail.example.com', failedSessions: 1 },
      ],
      topFailingSendingIps: [
        { name: '192.0.2.1', failedSessions: 3 },
        { name: '192.0.2.2', failedSessions: 1 },
      ],
      reporters: ['Google Inc.', 'Microsoft Corporation'],
      appliedPolicies: [{ policyId: 'pol1', sessions: 154 }],
      silentReporters: [],
    })
  })

  it('when reports fall on 2026-11-04, then the day matches the hand sums', () => {
    // r3 (other.example skipped, r6 a duplicate), r4, r8: successful 200 + 0 + 10 = 210,
    // failed 10 + 1 + 0 = 11; types 6 expired, 4 validation, 1 + 1 fetch (non-exclusive: 12 > 11);
    // pol2: r3 210 + r8 10 = 220; r4 quotes nothing → unknown 1. Microsoft was seen on the 3rd.
    expect(health.days[1]).toEqual({
      day: '2026-11-04',
      reports: 3,
      reportIds: ['r3', 'r4', 'r8'],
      successfulSessions: 210,
      failedSessions: 11,
      failuresByResultType: [
        { resultType: 'certificate-expired', failedSessions: 6 },
        { resultType: 'validation-failure', failedSessions: 4 },
        { resultType: 'sts-policy-fetch-error', failedSessions: 2 },
      ],
      topFailingMxHosts: [{ name: 'mx1.example.com', failedSessions: 10 }],
      topFailingSendingIps: [
        { name: '192.0.2.1', failedSessions: 6 },
        { name: '192.0.2.3', failedSessions: 4 },
      ],
      reporters: ['Comcast', 'Google Inc.', 'Mail.ru'],
      appliedPolicies: [
        { policyId: 'pol2', sessions: 220 },
        { policyId: 'unknown', sessions: 1 },
      ],
      silentReporters: ['Microsoft Corporation'],
    })
  })

  it('when only Microsoft has reported so far today (2026-11-05), then nobody is silent yet and its stale policy is unknown', () => {
    // r5: 30 successful, 2 failed of an unregistered type; mode none was never served → unknown 32.
    expect(health.days[2]).toMatchObject({
      day: '2026-11-05',
      reports: 1,
      successfulSessions: 30,
      failedSessions: 2,
      failuresByResultType: [{ resultType: 'made-up-type', failedSessions: 2 }],
      topFailingMxHosts: [{ name: 'b.mail.example.com', failedSessions: 2 }],
      topFailingSendingIps: [{ name: '2001:db8::9', failedSessions: 2 }],
      reporters: ['Microsoft Corporation'],
      appliedPolicies: [{ policyId: 'unknown', sessions: 32 }],
      // The day is not over (senders report a day after it ends, RFC 8460 §4.1): no verdict yet.
      silentReporters: [],
    })
  })

  it('when 2026-11-05 is over and only Microsoft reported for it, then the others are silent on it', () => {
    const later = tlsHealth({
      domain: 'example.com',
      reports,
      served,
      now: new Date('2026-11-06T00:30:00Z'),
      days: 3,
    })

    expect(later.days.map((d) => [d.day, d.silentReporters])).toEqual([
      ['2026-11-04', []],
      ['2026-11-05', ['Comcast', 'Google Inc.', 'Mail.ru']],
      ['2026-11-06', []],
    ])
  })

  it('when the window is summed, then the totals match the hand sums', () => {
    // successful 150 + 210 + 30 = 390; failed 4 + 11 + 2 = 17; expired 3 + 6 = 9;
    // mx1 3 + 10 = 13; 192.0.2.1 3 + 6 = 9; unknown 1 + 32 = 33; ties (2) sort by name.
    // mx with successes: mx1 and *.mail from r1 100 + r2 50 + r3 200 + r8 10 = 360 (r8 names
    // mx1 in mx-host and in its lines, counted once); mx-old from r5's stale policy: 30.
    expect(health.totals).toEqual({
      reports: 6,
      reportIds: ['r1', 'r2', 'r3', 'r4', 'r5', 'r8'],
      successfulSessions: 390,
      failedSessions: 17,
      failuresByResultType: [
        { resultType: 'certificate-expired', failedSessions: 9 },
        { resultType: 'validation-failure', failedSessions: 4 },
        { resultType: 'made-up-type', failedSessions: 2 },
        { resultType: 'sts-policy-fetch-error', failedSessions: 2 },
        { resultType: 'starttls-not-supported', failedSessions: 1 },
      ],
      topFailingMxHosts: [
        { name: 'mx1.example.com', failedSessions: 13 },
        { name: 'b.mail.example.com', failedSessions: 2 },
        { name: 'a.mail.example.com', failedSessions: 1 },
      ],
      topFailingSendingIps: [
        { name: '192.0.2.1', failedSessions: 9 },
        { name: '192.0.2.3', failedSessions: 4 },
        { name: '2001:db8::9', failedSessions: 2 },
        { name: '192.0.2.2', failedSessions: 1 },
      ],
      reporters: ['Comcast', 'Google Inc.', 'Mail.ru', 'Microsoft Corporation'],
      appliedPolicies: [
        { policyId: 'pol2', sessions: 220 },
        { policyId: 'pol1', sessions: 154 },
        { policyId: 'unknown', sessions: 33 },
      ],
      daysWithReports: 3,
      mxWithSuccessfulSessions: [
        { mx: '*.mail.example.com', successfulSessions: 360 },
        { mx: 'mx-old.example.com', successfulSessions: 30 },
        { mx: 'mx1.example.com', successfulSessions: 360 },
      ],
    })
    expect({ from: health.from, to: health.to }).toEqual({ from: '2026-11-03', to: '2026-11-05' })
  })
})

describe('tlsHealth edges', () => {
  const at = (now: string, days: number) =>
    tlsHealth({ domain: 'example.com', reports, served, now: new Date(now), days })

  it('when a failure host or address has more than five entries, then only the top five are shown', () => {
    const details = [9, 8, 7, 6, 5, 4, 3].map((n, i) =>
      fail('certificate-expired', n, `mx${i}.example.com`, `192.0.2.${i}`),
    )
    const one = stored('t', 'T', 't', '2026-11-05T00:00:00Z', [entry(0, 42, {}, details)])
    const h = tlsHealth({
      domain: 'example.com',
      reports: [one],
      served,
      now: new Date('2026-11-05T00:00:00Z'),
      days: 1,
    })
    expect(h.totals.topFailingMxHosts.map((e) => e.failedSessions)).toEqual([9, 8, 7, 6, 5])
    expect(h.totals.topFailingSendingIps).toHaveLength(5)
  })

  it('when the window is one day, then only reports starting that UTC day count', () => {
    expect(at('2026-11-04T23:59:59.999Z', 1).totals.reportIds).toEqual(['r3', 'r4', 'r8'])
  })

  it('when no report falls in the window, then every day is empty and nobody is silent', () => {
    const h = at('2026-12-31T00:00:00Z', 2)
    expect(h.days.map((d) => [d.day, d.reports, d.silentReporters])).toEqual([
      ['2026-12-30', 0, []],
      ['2026-12-31', 0, []],
    ])
    expect(h.totals.daysWithReports).toBe(0)
  })

  it.each([0, -1, 1.5, 367, Number.NaN])('when days is %s, then it throws a RangeError', (days) => {
    expect(() => at('2026-11-05T00:00:00Z', days)).toThrow(RangeError)
  })
})
