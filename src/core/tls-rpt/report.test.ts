import { describe, expect, it } from 'vitest'
import type { Json } from '../../../test/fixtures/tlsrpt/report-builders.js'
import {
  detail,
  policy,
  report,
  warningsOf,
} from '../../../test/fixtures/tlsrpt/report-builders.js'
import type { NormalizedReport } from './report.js'
import { TlsReport, parseReport, policyDomainsOf } from './report.js'

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
