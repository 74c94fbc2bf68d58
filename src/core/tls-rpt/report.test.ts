import { describe, expect, it } from 'vitest'
import type { NormalizedReport } from './report.js'
import { TlsReport, parseReport, policyDomainsOf } from './report.js'

type Json = Record<string, unknown>

const detail = (extra: Json = {}): Json => ({
  'result-type': 'certificate-expired',
  'sending-mta-ip': '2001:db8:abcd:0012::1',
  'receiving-mx-hostname': 'mx1.mail.company-y.example',
  'failed-session-count': 100,
  ...extra,
})

const policy = (extra: Json = {}, entry: Json = {}): Json => ({
  policy: {
    'policy-type': 'sts',
    'policy-string': ['version: STSv1', 'mode: testing', 'mx: *.mail.company-y.example'],
    'policy-domain': 'company-y.example',
    'mx-host': ['*.mail.company-y.example'],
    ...extra,
  },
  summary: { 'total-successful-session-count': 5326, 'total-failure-session-count': 303 },
  'failure-details': [detail()],
  ...entry,
})

const report = (extra: Json = {}): Json => ({
  'organization-name': 'Company-X',
  'date-range': {
    'start-datetime': '2016-04-01T00:00:00Z',
    'end-datetime': '2016-04-01T23:59:59Z',
  },
  'contact-info': 'sts-reporting@company-x.example',
  'report-id': '5065427c-23d3-47ca-b6e0-946ea0e8c4be',
  policies: [policy()],
  ...extra,
})

function warningsOf(json: unknown): string[] {
  const result = parseReport(json)
  if (!result.ok) throw new Error(JSON.stringify(result.issues))
  return result.warnings
}

function issuesOf(json: unknown): string[] {
  const result = parseReport(json)
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`)
}

describe('parseReport', () => {
  it('when a conforming report is parsed, then it comes back camelCased with Dates', () => {
    const expected: NormalizedReport = {
      organizationName: 'Company-X',
      dateRange: {
        start: new Date('2016-04-01T00:00:00Z'),
        end: new Date('2016-04-01T23:59:59Z'),
      },
      contactInfo: 'sts-reporting@company-x.example',
      reportId: '5065427c-23d3-47ca-b6e0-946ea0e8c4be',
      policies: [
        {
          policyType: 'sts',
          policyString: ['version: STSv1', 'mode: testing', 'mx: *.mail.company-y.example'],
          policyDomain: 'company-y.example',
          mxHost: ['*.mail.company-y.example'],
          summary: { totalSuccessfulSessionCount: 5326, totalFailureSessionCount: 303 },
          failureDetails: [
            {
              resultType: 'certificate-expired',
              sendingMtaIp: '2001:db8:abcd:0012::1',
              receivingMxHostname: 'mx1.mail.company-y.example',
              failedSessionCount: 100,
            },
          ],
        },
      ],
    }
    expect(parseReport(report())).toEqual({ ok: true, report: expected, warnings: [] })
  })

  it('when the same report is validated with TlsReport, then the wire names are kept', () => {
    expect(TlsReport.parse(report())['report-id']).toBe('5065427c-23d3-47ca-b6e0-946ea0e8c4be')
  })

  it.each<[string, Json, string[]]>([
    [
      'zone-less date-times (microsoft-2023-01-10)',
      report({
        'date-range': {
          'start-datetime': '2023-01-10T00:00:00',
          'end-datetime': '2023-01-10T23:59:59',
        },
      }),
      [
        'start-datetime has no time zone (accepted as UTC; seen from Microsoft)',
        'end-datetime has no time zone (accepted as UTC; seen from Microsoft)',
      ],
    ],
    [
      'a string mx-host (parsedmarc-rfc8460-example)',
      report({ policies: [policy(), policy({ 'mx-host': 'mx.company-y.example' })] }),
      ['policies[1].mx-host is a string (RFC 8460 Appendix B before erratum 6241)'],
    ],
    [
      'no mx-host (microsoft-2023-01-10)',
      report({ policies: [policy({ 'mx-host': undefined })] }),
      [],
    ],
    [
      'no failure-details (google-2022-09-15)',
      report({ policies: [policy({}, { 'failure-details': undefined })] }),
      [],
    ],
    [
      'no-policy-found without policy-string (google-2024-09-03)',
      report({
        policies: [
          policy({
            'policy-type': 'no-policy-found',
            'policy-string': undefined,
            'mx-host': undefined,
          }),
        ],
      }),
      [],
    ],
    [
      'an sts fetch error without policy-string, IP or host (mailru-2024-02-22)',
      report({
        policies: [
          policy(
            { 'policy-string': undefined },
            {
              'failure-details': [
                { 'result-type': 'sts-policy-fetch-error', 'failed-session-count': 1 },
                { 'result-type': 'sts-policy-fetch-error', 'failed-session-count': 1 },
              ],
              summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 1 },
            },
          ),
        ],
      }),
      [],
    ],
    [
      'an additional-information that is not a clean URI (RFC 8460 Appendix B wrapping)',
      report({
        policies: [
          policy(
            {},
            {
              'failure-details': [
                detail({
                  'additional-information':
                    'https://r.example/a?id=5065427c-23d3#Starttls\n   NotSupported',
                }),
              ],
            },
          ),
        ],
      }),
      [],
    ],
    [
      'unknown members at every level',
      report({ 'x-ext': { a: 1 }, policies: [policy({ 'x-p': 1 }, { 'x-e': [1] })] }),
      [],
    ],
    [
      'an unregistered result type',
      report({
        policies: [
          policy(
            {},
            { 'failure-details': [detail(), detail({ 'result-type': 'quantum-failure' })] },
          ),
        ],
      }),
      [
        'policies[0].failure-details[1].result-type "quantum-failure" is not a registered result type (kept)',
      ],
    ],
  ])('when the report has %s, then it is accepted with these warnings', (_, json, warnings) => {
    expect(warningsOf(json)).toEqual(warnings)
  })

  it('when 25 distinct unregistered result types repeat, then 10 are named and the rest counted', () => {
    const details = Array.from({ length: 50 }, (_, i) =>
      detail({ 'result-type': `made-up-${i % 25}` }),
    )
    const warnings = warningsOf(report({ policies: [policy({}, { 'failure-details': details })] }))
    expect(warnings).toHaveLength(11)
    expect(warnings[0]).toContain('"made-up-0"')
    expect(warnings[10]).toBe('15 more unregistered result types (kept)')
  })

  it('when an unregistered type is a kilobyte of markup, then its warning shows 64 characters, quoted', () => {
    const type = `<script>${'x'.repeat(1000)}`
    const [warning = ''] = warningsOf(
      report({ policies: [policy({}, { 'failure-details': [detail({ 'result-type': type })] })] }),
    )
    expect(warning).toContain(JSON.stringify(type.slice(0, 64)))
    expect(warning.length).toBeLessThan(200)
  })

  it('when the report has many problems, then every one is reported at once', () => {
    const json = report({
      'report-id': 7,
      'date-range': { 'start-datetime': 'yesterday' },
      policies: [
        policy({ 'policy-type': 'STS' }, { summary: { 'total-successful-session-count': -1 } }),
        policy(
          {},
          { 'failure-details': [detail({ 'receiving-ip': 'x', 'failed-session-count': '2' })] },
        ),
      ],
    })
    expect(issuesOf(json)).toEqual([
      'date-range.start-datetime: must be an RFC 3339 date-time such as 2024-01-09T00:00:00Z (RFC 8460 §4.4)',
      'date-range.end-datetime: is required',
      'report-id: must be a string',
      'policies.0.policy.policy-type: must be sts, tlsa or no-policy-found',
      'policies.0.summary.total-successful-session-count: must be a non-negative integer',
      'policies.0.summary.total-failure-session-count: is required',
      'policies.1.failure-details.0.receiving-ip: must be an IPv4 or IPv6 address (RFC 8460 §4.4)',
      'policies.1.failure-details.0.failed-session-count: must be a non-negative integer',
    ])
  })

  it.each<[string, Json, string]>([
    [
      '1001 policies',
      report({ policies: Array.from({ length: 1001 }, () => policy()) }),
      'policies: must have at most 1000 entries',
    ],
    [
      '10 002 failure-details over two policies',
      report({
        policies: [5001, 5001].map((n) =>
          policy({}, { 'failure-details': Array.from({ length: n }, () => detail()) }),
        ),
      }),
      'policies: has 10002 failure-details in all; at most 10000',
    ],
    [
      '1001 policy-string lines',
      report({
        policies: [
          policy({ 'policy-string': Array.from({ length: 1001 }, () => 'mx: a.example') }),
        ],
      }),
      'policies.0.policy.policy-string: must have at most 1000 entries',
    ],
    [
      'a 16 KiB + 1 policy-string line',
      report({ policies: [policy({ 'policy-string': ['x'.repeat(16385)] })] }),
      'policies.0.policy.policy-string.0: must be at most 16384 characters',
    ],
    [
      'a 4 KiB + 1 failure-reason-code',
      report({
        policies: [
          policy({}, { 'failure-details': [detail({ 'failure-reason-code': 'x'.repeat(4097) })] }),
        ],
      }),
      'policies.0.failure-details.0.failure-reason-code: must be at most 4096 characters',
    ],
    [
      '1001 mx-host entries',
      report({
        policies: [policy({ 'mx-host': Array.from({ length: 1001 }, () => 'mx.example') })],
      }),
      'policies.0.policy.mx-host: must have at most 1000 entries',
    ],
    [
      'an IP as policy-domain',
      report({ policies: [policy({ 'policy-domain': '192.0.2.1' })] }),
      'policies.0.policy.policy-domain: must be a DNS name',
    ],
  ])('when the report has %s, then it is refused: %s', (_, json, issue) => {
    expect(issuesOf(json)).toContainEqual(expect.stringContaining(issue))
  })

  it('when a TLSA 3 0 0 record carries a whole certificate in hex, then it is accepted', () => {
    const rr = `3 0 0 ${'ab'.repeat(2000)}`
    const json = report({
      policies: [policy({ 'policy-type': 'tlsa', 'policy-string': [rr], 'mx-host': undefined })],
    })
    expect(warningsOf(json)).toEqual([])
  })

  it('when the policy-domain is upper-case with a trailing dot, then it is normalised', () => {
    const result = parseReport(
      report({ policies: [policy({ 'policy-domain': 'Company-Y.Example.' })] }),
    )
    expect(result.ok && result.report.policies[0]?.policyDomain).toBe('company-y.example')
  })
})

describe('policyDomainsOf', () => {
  it('when policies repeat and vary in case, then each domain is listed once, lower-cased', () => {
    const result = parseReport(
      report({
        policies: [
          policy({ 'policy-domain': 'Company-Y.Example.' }),
          policy({ 'policy-domain': 'sub.company-y.example', 'policy-type': 'tlsa' }),
          policy({ 'policy-domain': 'company-y.example' }),
        ],
      }),
    )
    if (!result.ok) throw new Error('expected a valid report')
    expect(policyDomainsOf(result.report)).toEqual(['company-y.example', 'sub.company-y.example'])
  })
})
