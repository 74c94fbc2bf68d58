import { describe, expect, it } from 'vitest'
import { stsRecordFindings, tlsRptRecordFindings } from './record-findings.js'

const ID = '20261206T0800'
const OURS = 'https://policyhost.example/tlsrpt/abc'

describe('_mta-sts as a sender reads it (RFC 8461 §3.1)', () => {
  const cases: [string, string[], { policyId: string | null; delegated: boolean }, string[]][] = [
    ['one record with our id', [`v=STSv1; id=${ID}`], { policyId: ID, delegated: false }, []],
    ['no record', [], { policyId: ID, delegated: false }, ['sts-record:missing']],
    [
      'only records of other kinds (SPF-like noise is discarded)',
      ['v=spf1 -all', 'hello'],
      { policyId: ID, delegated: false },
      ['sts-record:missing'],
    ],
    [
      'two STSv1 records',
      [`v=STSv1; id=${ID}`, 'v=STSv1; id=old1'],
      { policyId: ID, delegated: false },
      ['sts-record:multiple'],
    ],
    [
      'an invalid id',
      ['v=STSv1; id=not-valid!'],
      { policyId: ID, delegated: false },
      ['sts-record:invalid'],
    ],
    [
      'a stale id',
      ['v=STSv1; id=old1'],
      { policyId: ID, delegated: false },
      ['sts-record:id-mismatch'],
    ],
    [
      'a stale id through a working delegation (in flight, RFC 8461 §8.1)',
      ['v=STSv1; id=old1'],
      { policyId: ID, delegated: true },
      [],
    ],
    ['no policy set: nothing expected', [], { policyId: null, delegated: false }, []],
    [
      'a version spelled otherwise is not STSv1 (case-sensitive)',
      [`v=stsv1; id=${ID}`],
      { policyId: ID, delegated: false },
      ['sts-record:missing'],
    ],
  ]
  for (const [what, txts, expectation, keys] of cases) {
    it(`when ${what}, then the findings are ${keys.join(', ') || 'none'}`, () => {
      const found = stsRecordFindings(txts, expectation)
      expect(found.map((f) => f.key)).toEqual(keys)
      expect(found.every((f) => f.kind === 'sts-record' && f.severity === 'error')).toBe(true)
    })
  }

  it('when the id is stale, then the message names both ids', () => {
    const [f] = stsRecordFindings(['v=STSv1; id=old1'], { policyId: ID, delegated: false })
    expect(f?.message).toContain('old1')
    expect(f?.message).toContain(ID)
  })
})

describe('_smtp._tls as a sender reads it (RFC 8460 §3)', () => {
  const cases: [string, string[], string | null, string[]][] = [
    ['one record with our URL', [`v=TLSRPTv1; rua=${OURS}`], OURS, []],
    ['ours among others', [`v=TLSRPTv1; rua=mailto:a@example.org,${OURS}`], OURS, []],
    ['no record', [], OURS, ['tlsrpt-record:missing']],
    [
      'two records',
      [`v=TLSRPTv1; rua=${OURS}`, `v=TLSRPTv1; rua=${OURS}`],
      OURS,
      ['tlsrpt-record:multiple'],
    ],
    ['no rua', ['v=TLSRPTv1;'], OURS, ['tlsrpt-record:invalid']],
    [
      'another URL only',
      ['v=TLSRPTv1; rua=mailto:a@example.org'],
      OURS,
      ['tlsrpt-record:rua-not-ours'],
    ],
    ['TLS-RPT not set up with us', [], null, []],
  ]
  for (const [what, txts, reportUri, keys] of cases) {
    it(`when ${what}, then the findings are ${keys.join(', ') || 'none'}`, () => {
      expect(tlsRptRecordFindings(txts, { reportUri }).map((f) => f.key)).toEqual(keys)
    })
  }

  it('when our URL is missing from rua, then it is a warning (reports go elsewhere), other problems errors', () => {
    expect(
      tlsRptRecordFindings(['v=TLSRPTv1; rua=mailto:a@example.org'], { reportUri: OURS })[0]
        ?.severity,
    ).toBe('warning')
    expect(tlsRptRecordFindings([], { reportUri: OURS })[0]?.severity).toBe('error')
  })
})
