import { describe, expect, it } from 'vitest'
import type { Json } from '../../../test/fixtures/tlsrpt/report-builders.js'
import { detail, issuesOf, policy, report } from '../../../test/fixtures/tlsrpt/report-builders.js'

describe('TlsReport refusals through parseReport', () => {
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
      'sessions of one policy summing past 2^53-1',
      report({
        policies: [
          policy(
            {},
            {
              summary: {
                'total-successful-session-count': Number.MAX_SAFE_INTEGER,
                'total-failure-session-count': 1,
              },
            },
          ),
        ],
      }),
      'policies.0.summary: successful and failed sessions add up past 2^53-1',
    ],
    [
      'failed-session-counts of one policy summing past 2^53-1',
      report({
        policies: [
          policy(
            {},
            {
              'failure-details': [
                detail({ 'failed-session-count': Number.MAX_SAFE_INTEGER }),
                detail({ 'failed-session-count': 1 }),
              ],
            },
          ),
        ],
      }),
      'policies.0.failure-details: failed-session-counts add up past 2^53-1',
    ],
    [
      'policies whose sessions sum past 2^53-1',
      report({
        policies: [2, 2].map(() =>
          policy(
            {},
            {
              summary: {
                'total-successful-session-count': Number.MAX_SAFE_INTEGER - 1,
                'total-failure-session-count': 0,
              },
            },
          ),
        ),
      }),
      'policies: the session counts of all policies add up past 2^53-1',
    ],
    [
      'an IP as policy-domain',
      report({ policies: [policy({ 'policy-domain': '192.0.2.1' })] }),
      'policies.0.policy.policy-domain: must be a DNS name',
    ],
  ])('when the report has %s, then it is refused: %s', (_, json, issue) => {
    expect(issuesOf(json)).toContainEqual(expect.stringContaining(issue))
  })
})
