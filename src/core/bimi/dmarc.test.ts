import { describe, expect, it } from 'vitest'
import { dmarcBlockers, parseDmarc, pickDmarc } from './dmarc.js'

describe('parseDmarc', () => {
  it.each([
    ['v=DMARC1; p=reject', { p: 'reject', sp: null, pct: null }],
    ['v=DMARC1;p=quarantine;pct=50;sp=none', { p: 'quarantine', sp: 'none', pct: 50 }],
    ['v=DMARC1; P=Reject; rua=mailto:d@example.com', { p: 'reject', sp: null, pct: null }],
    ['v=DMARC1; p=none; pct=abc', { p: 'none', sp: null, pct: null }],
  ])('when the record is %j, then it parses', (record, expected) => {
    expect(parseDmarc(record)).toEqual(expected)
  })

  it.each(['v=spf1 -all', 'p=reject; v=DMARC1', ''])(
    'when %j is not a DMARC record, then null',
    (r) => {
      expect(parseDmarc(r)).toBeNull()
    },
  )
})

describe('pickDmarc', () => {
  it('when there is none or more than one, then there is no policy and a reason', () => {
    expect(pickDmarc(['v=spf1 -all'])).toEqual({ policy: null, problem: 'no DMARC record' })
    expect(pickDmarc(['v=DMARC1; p=reject', 'v=DMARC1; p=none']).problem).toContain('more than one')
  })
})

describe('dmarcBlockers (BIMI §8.1)', () => {
  it.each([
    ['v=DMARC1; p=reject', false, []],
    ['v=DMARC1; p=quarantine', false, []],
    ['v=DMARC1; p=quarantine; pct=100', false, []],
    ['v=DMARC1; p=none', false, ['DMARC p=none is not quarantine or reject']],
    ['v=DMARC1; p=quarantine; pct=25', false, ['DMARC pct=25 is below 100 with quarantine']],
    ['v=DMARC1; p=reject; sp=none', false, ['DMARC sp=none']],
    [
      'v=DMARC1; p=reject; sp=none',
      true,
      ['DMARC sp=none is not quarantine or reject', 'DMARC sp=none'],
    ],
  ])('when %j (subdomain: %s), then %j', (record, sub, expected) => {
    expect(dmarcBlockers(parseDmarc(record)!, sub)).toEqual(expected)
  })
})
