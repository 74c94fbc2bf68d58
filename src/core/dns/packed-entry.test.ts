import { describe, expect, it } from 'vitest'
import { hasBimi, labelIs, labelOf, mtaStsOf, pack, tlsRptOf, unpack } from './packed-entry.js'
import type { ZoneEntry } from './zone-types.js'

const e = (over: Partial<ZoneEntry> = {}): ZoneEntry => ({
  label: 'alpha-x2k',
  mtaSts: 'v=STSv1; id=20261206',
  tlsRpt: 'v=TLSRPTv1; rua=mailto:tls@example.org',
  bimi: [],
  ...over,
})

describe('packed zone entries', () => {
  const cases: [string, ZoneEntry, 'string' | 'object'][] = [
    ['both records', e(), 'string'],
    ['no MTA-STS', e({ mtaSts: null }), 'string'],
    ['no TLS-RPT', e({ tlsRpt: null }), 'string'],
    ['neither', e({ mtaSts: null, tlsRpt: null }), 'string'],
    ['empty values (not null)', e({ mtaSts: '', tlsRpt: '' }), 'string'],
    [
      'two BIMI selectors, one of two labels',
      e({
        bimi: [
          { selector: 'default', value: 'v=BIMI1; l=https://l.example/a.svg' },
          { selector: 'brand.x', value: 'v=BIMI1; l=' },
        ],
      }),
      'string',
    ],
    ['non-ASCII text', e({ tlsRpt: 'v=TLSRPTv1; rua=mailto:tls@exämple.org 😀' }), 'string'],
    ['a value holding NUL', e({ mtaSts: 'v=STSv1;\u0000 id=1' }), 'object'],
    ['a value that is SOH alone', e({ tlsRpt: '\u0001' }), 'object'],
    ['a BIMI value holding NUL', e({ bimi: [{ selector: 's', value: 'a\u0000b' }] }), 'object'],
  ]
  for (const [what, entry, kept] of cases) {
    it(`when an entry has ${what}, then it is kept as a ${kept} and reads back the same`, () => {
      const stored = pack(entry)
      expect(typeof stored).toBe(kept)
      expect(unpack(stored)).toEqual(entry)
      expect(labelOf(stored)).toBe(entry.label)
      expect(mtaStsOf(stored)).toBe(entry.mtaSts)
      expect(tlsRptOf(stored)).toBe(entry.tlsRpt)
      expect(hasBimi(stored)).toBe(entry.bimi.length > 0)
    })
  }

  it('when a name slice is compared with the label, then only the exact label matches', () => {
    const stored = pack(e({ label: 'beta-2' }))
    const name = 'xbeta-2._mta-sts.dns.example'
    expect(labelIs(stored, name, 1, 7)).toBe(true)
    expect(labelIs(stored, name, 1, 6)).toBe(false) // a prefix of the label
    expect(labelIs(stored, name, 0, 7)).toBe(false)
    expect(labelIs(pack(e({ label: 'beta-' })), name, 1, 7)).toBe(false) // label is a prefix
    expect(labelIs(stored, 'BETA-2', 0, 6)).toBe(false) // the caller lower-cases first
  })
})
