import { describe, expect, it } from 'vitest'
import type { DomainRecordsInput } from './records.js'
import { domainRecords } from './records.js'

const input: DomainRecordsInput = {
  domain: 'example.com',
  serviceHost: 'policy.example.net',
  policyId: null,
  tlsRptRua: null,
}

const cname = { name: 'mta-sts.example.com', type: 'CNAME', value: 'policy.example.net.' }
const sts = { name: '_mta-sts.example.com', type: 'TXT', value: 'v=STSv1; id=abc123' }
const tlsRpt = {
  name: '_smtp._tls.example.com',
  type: 'TXT',
  value: 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://r.example.net/v1',
}

describe('domainRecords', () => {
  it.each<[string, Partial<DomainRecordsInput>, object[]]>([
    ['neither a policy id nor TLS-RPT', {}, [cname]],
    ['a policy id', { policyId: 'abc123' }, [cname, sts]],
    ['an empty TLS-RPT list', { policyId: 'abc123', tlsRptRua: [] }, [cname, sts]],
    [
      'a policy id and TLS-RPT',
      { policyId: 'abc123', tlsRptRua: ['mailto:tlsrpt@example.com', 'https://r.example.net/v1'] },
      [cname, sts, tlsRpt],
    ],
    [
      'TLS-RPT only',
      { tlsRptRua: ['mailto:tlsrpt@example.com', 'https://r.example.net/v1'] },
      [cname, tlsRpt],
    ],
    ['a service host with a root dot', { serviceHost: 'policy.example.net.' }, [cname]],
  ])('when the domain has %s, then the records are exact', (_, change, expected) => {
    const records = domainRecords({ ...input, ...change })
    expect(records.map(({ name, type, value }) => ({ name, type, value }))).toEqual(expected)
  })

  it('when records are listed, then each has a one-line purpose citing its RFC', () => {
    const records = domainRecords({ ...input, policyId: 'abc', tlsRptRua: ['mailto:a@b.example'] })
    for (const record of records) {
      expect(record.purpose).not.toMatch(/[\r\n]/)
      expect(record.purpose).toMatch(/RFC 846[01] §/)
    }
  })
})

describe('domainRecords with BIMI', () => {
  const base = {
    domain: 'example.com',
    serviceHost: 'svc.example.net',
    policyId: null,
    tlsRptRua: null,
  }

  it('when a selector has a logo and no certificate, then a= is empty', () => {
    const r = domainRecords({
      ...base,
      bimi: [
        {
          selector: 'default',
          logoUrl: 'https://svc.example.net/logos/example.com/0123456789abcdef.svg',
          certificateUrl: null,
        },
      ],
    })
    expect(r.at(-1)).toMatchObject({
      name: 'default._bimi.example.com',
      type: 'TXT',
      value: 'v=BIMI1; l=https://svc.example.net/logos/example.com/0123456789abcdef.svg; a=',
    })
  })

  it('when the domain has a logo host and a certificate, then the CNAME comes before the records', () => {
    const r = domainRecords({
      ...base,
      logoHost: 'bimi.example.com',
      bimi: [
        {
          selector: 'brand',
          logoUrl: 'https://bimi.example.com/brand.svg',
          certificateUrl: 'https://bimi.example.com/brand.pem',
        },
      ],
    })
    expect(r.map((x) => `${x.name} ${x.type} ${x.value}`)).toEqual([
      'mta-sts.example.com CNAME svc.example.net.',
      'bimi.example.com CNAME svc.example.net.',
      'brand._bimi.example.com TXT v=BIMI1; l=https://bimi.example.com/brand.svg; a=https://bimi.example.com/brand.pem',
    ])
    for (const x of r) expect(x.purpose).not.toContain('\n')
  })
})
