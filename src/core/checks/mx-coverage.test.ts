import { describe, expect, it } from 'vitest'
import { mxCoverage, mxMatches, normalizeMxHost, suggestMx } from './mx-coverage.js'

describe('normalizeMxHost', () => {
  it.each([
    ['mx1.example.com', 'mx1.example.com'],
    ['MX1.Example.COM', 'mx1.example.com'],
    ['mx1.example.com.', 'mx1.example.com'],
    ['XN--BCHER-KVA.example.', 'xn--bcher-kva.example'],
  ])('when the host is %j, then it normalises to %j', (host, expected) => {
    expect(normalizeMxHost(host)).toBe(expected)
  })
})

describe('mxMatches', () => {
  it.each([
    ['mx1.example.com', 'mx1.example.com', 'exact name'],
    ['*.example.com', 'mx1.example.com', 'wildcard, one label'],
    ['*.example.com', 'MX1.EXAMPLE.COM', 'host upper-case'],
    ['*.EXAMPLE.com', 'mx1.example.com', 'pattern upper-case'],
    ['Mx1.Example.Com', 'mX1.eXample.cOm', 'exact name, mixed case'],
    ['mx1.example.com', 'mx1.example.com.', 'trailing dot on the host'],
    ['*.example.com', 'mx1.example.com.', 'wildcard, trailing dot on the host'],
    ['*.example.com', 'xn--bcher-kva.example.com', 'IDN A-label as the wildcard label'],
    ['*.xn--bcher-kva.example', 'mx.xn--bcher-kva.example', 'IDN A-label in the pattern'],
    ['mx.xn--bcher-kva.example', 'MX.XN--BCHER-KVA.EXAMPLE.', 'IDN A-label, case and dot'],
  ])('when pattern %j meets host %j (%s), then it matches', (pattern, host) => {
    expect(mxMatches(pattern, host)).toBe(true)
  })

  it.each([
    ['*.example.com', 'example.com', 'wildcard needs one label, not zero'],
    ['*.example.com', 'a.b.example.com', 'wildcard matches one label, not two'],
    ['*.ample.com', 'mx.example.com', 'suffix not on a label boundary'],
    ['*.ample.com', 'example.com', 'suffix not on a label boundary, no dot'],
    ['ample.com', 'example.com', 'exact name is not a suffix match'],
    ['example.com', 'mx.example.com', 'exact name does not cover children'],
    ['mx1.example.com', 'mx2.example.com', 'different exact names'],
    ['*.example.com', 'mx1.example.net', 'different parent'],
    ['*.example.com', 'mx1.example.com.evil.test', 'look-alike with the parent inside'],
    ['*.xn--bcher-kva.example', 'mx.bücher.example', 'U-label host is not the A-label'],
    ['*.xn--bcher-kva.example', 'mx.xn--bcher-kvb.example', 'different A-label'],
    ['*.example.com', '', 'empty host'],
    ['*.example.com', '.', 'null MX'],
    ['', '', 'empty pattern and host'],
    ['*.', 'com', 'malformed wildcard with no parent'],
  ])('when pattern %j meets host %j (%s), then it does not match', (pattern, host) => {
    expect(mxMatches(pattern, host)).toBe(false)
  })
})

describe('mxCoverage', () => {
  it.each([
    {
      name: 'every host covered',
      patterns: ['*.example.com'],
      live: ['mx1.example.com', 'mx2.example.com'],
      covered: ['mx1.example.com', 'mx2.example.com'],
      uncovered: [],
    },
    {
      name: 'one host outside the patterns',
      patterns: ['mx1.example.com', '*.mail.example.com'],
      live: ['mx1.example.com', 'backup.example.net', 'a.mail.example.com'],
      covered: ['mx1.example.com', 'a.mail.example.com'],
      uncovered: ['backup.example.net'],
    },
    {
      name: 'no patterns',
      patterns: [],
      live: ['mx1.example.com'],
      covered: [],
      uncovered: ['mx1.example.com'],
    },
    {
      name: 'no live MX',
      patterns: ['*.example.com'],
      live: [],
      covered: [],
      uncovered: [],
    },
    {
      name: 'duplicates in DNS spelling, kept once in first-seen order',
      patterns: ['mx2.example.com'],
      live: ['MX2.example.com.', 'mx1.example.com', 'mx2.example.com', 'Mx1.Example.Com.'],
      covered: ['mx2.example.com'],
      uncovered: ['mx1.example.com'],
    },
    {
      name: 'wildcard does not cover the bare parent or a grandchild',
      patterns: ['*.aspmx.l.google.com'],
      live: ['aspmx.l.google.com', 'alt1.aspmx.l.google.com', 'a.alt1.aspmx.l.google.com'],
      covered: ['alt1.aspmx.l.google.com'],
      uncovered: ['aspmx.l.google.com', 'a.alt1.aspmx.l.google.com'],
    },
  ])('when $name, then the live hosts are partitioned', (row) => {
    const result = mxCoverage(row.patterns, row.live)
    expect(result).toEqual({ covered: row.covered, uncovered: row.uncovered })
  })

  it('when hosts are covered or not, then each normalised host is in exactly one list', () => {
    const live = ['b.example.com.', 'A.example.net', 'b.example.com', 'c.example.org']
    const { covered, uncovered } = mxCoverage(['*.example.com', 'a.example.net'], live)
    expect([...covered, ...uncovered].sort()).toEqual(
      ['a.example.net', 'b.example.com', 'c.example.org'].sort(),
    )
    expect(covered.filter((host) => uncovered.includes(host))).toEqual([])
  })
})

const SUGGESTIONS: { name: string; live: string[]; expected: string[] }[] = [
  {
    name: 'Microsoft 365',
    live: ['contoso-com.mail.protection.outlook.com.'],
    expected: ['*.mail.protection.outlook.com'],
  },
  {
    name: 'Google Workspace, legacy five records',
    live: [
      'aspmx.l.google.com.',
      'alt1.aspmx.l.google.com.',
      'alt2.aspmx.l.google.com.',
      'alt3.aspmx.l.google.com.',
      'alt4.aspmx.l.google.com.',
    ],
    expected: ['*.aspmx.l.google.com', 'aspmx.l.google.com'],
  },
  {
    name: 'Google Workspace, only the bare name',
    live: ['ASPMX.L.GOOGLE.COM'],
    expected: ['*.aspmx.l.google.com', 'aspmx.l.google.com'],
  },
  {
    name: 'Google Workspace, single smtp.google.com record',
    live: ['smtp.google.com.'],
    expected: ['smtp.google.com'],
  },
  {
    name: 'Proofpoint',
    live: ['mx0a-00123401.pphosted.com.', 'mx0b-00123401.pphosted.com.'],
    expected: ['*.pphosted.com'],
  },
  {
    name: 'Mimecast',
    live: ['eu-smtp-inbound-1.mimecast.com.', 'eu-smtp-inbound-2.mimecast.com.'],
    expected: ['*.mimecast.com'],
  },
  {
    name: 'Zoho Mail',
    live: ['mx.zoho.com.', 'mx2.zoho.com.', 'mx3.zoho.com.'],
    expected: ['*.zoho.com'],
  },
  {
    name: 'Zoho Mail EU',
    live: ['mx.zoho.eu.', 'mx2.zoho.eu.'],
    expected: ['*.zoho.eu'],
  },
  {
    name: 'Fastmail',
    live: ['in1-smtp.messagingengine.com.', 'in2-smtp.messagingengine.com.'],
    expected: ['*.messagingengine.com'],
  },
  {
    name: 'unknown hosts sharing a parent stay exact',
    live: ['mx2.example.com.', 'mx1.example.com.'],
    expected: ['mx1.example.com', 'mx2.example.com'],
  },
  {
    name: 'provider look-alikes stay exact',
    live: [
      'contoso.mail.protection.outlook.com.evil.test',
      'a.b.mail.protection.outlook.com',
      'www.pphosted.com',
      'mail.mimecast.com',
      'smtp.zoho.com',
      'mx.zoho.com.evil.test',
      'evilaspmx.l.google.com',
      'mail.messagingengine.com',
    ],
    expected: [
      'a.b.mail.protection.outlook.com',
      'contoso.mail.protection.outlook.com.evil.test',
      'evilaspmx.l.google.com',
      'mail.messagingengine.com',
      'mail.mimecast.com',
      'mx.zoho.com.evil.test',
      'smtp.zoho.com',
      'www.pphosted.com',
    ],
  },
  {
    name: 'mixed: a provider plus the owner’s own backup',
    live: [
      'contoso-com.mail.protection.outlook.com',
      'backup-mx.contoso.com',
      'BACKUP-MX.contoso.com.',
    ],
    expected: ['*.mail.protection.outlook.com', 'backup-mx.contoso.com'],
  },
  {
    name: 'mixed: two providers during a migration',
    live: ['alt1.aspmx.l.google.com', 'mx0a-001.pphosted.com', 'xn--bcher-kva.example'],
    expected: [
      '*.aspmx.l.google.com',
      '*.pphosted.com',
      'aspmx.l.google.com',
      'xn--bcher-kva.example',
    ],
  },
  {
    name: 'null MX',
    live: ['.'],
    expected: [],
  },
  {
    name: 'no live MX',
    live: [],
    expected: [],
  },
]

describe('suggestMx', () => {
  it.each(SUGGESTIONS)(
    'when the live MX set is $name, then the suggestion is folded as documented',
    (row) => {
      expect(suggestMx(row.live)).toEqual(row.expected)
    },
  )

  it.each(SUGGESTIONS)(
    'when the live MX set is $name, then the suggestion covers every host',
    (row) => {
      const suggested = suggestMx(row.live)
      const hosts = row.live.map(normalizeMxHost).filter((host) => host !== '')
      expect(mxCoverage(suggested, hosts).uncovered).toEqual([])
      expect(suggested).toEqual([...new Set(suggested)].sort())
    },
  )

  it('when the same set comes in another order or spelling, then it suggests the same', () => {
    const live = ['mx2.zoho.com', 'backup.example.org', 'mx.zoho.com']
    const shuffled = ['BACKUP.example.org.', 'mx.zoho.com.', 'mx2.zoho.com.', 'mx.zoho.com']
    expect(suggestMx(shuffled)).toEqual(suggestMx(live))
  })
})
