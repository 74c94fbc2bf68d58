import { describe, expect, it } from 'vitest'
import { quoteTxt, renderBind, splitTxt } from './bind.js'
import { domainRecords } from './records.js'

const octets = (s: string): number => Buffer.byteLength(s, 'utf8')

describe('splitTxt', () => {
  it.each([
    [0, [0]],
    [1, [1]],
    [255, [255]],
    [256, [255, 1]],
    [510, [255, 255]],
    [511, [255, 255, 1]],
    [512, [255, 255, 2]],
  ])('when the value has %i ASCII octets, then the strings have %j octets', (size, sizes) => {
    const value = 'x'.repeat(size)
    const chunks = splitTxt(value)
    expect(chunks.map(octets)).toEqual(sizes)
    expect(chunks.join('')).toBe(value)
  })

  it.each([
    ['a two-octet char', `${'a'.repeat(254)}é`, [254, 2]],
    ['a three-octet char', `${'a'.repeat(253)}€b`, [253, 3 + 1]],
    ['a four-octet char', `${'a'.repeat(252)}😀`, [252, 4]],
    ['a char that just fits', `${'a'.repeat(253)}é`, [255]],
    ['only two-octet chars', 'é'.repeat(128), [254, 2]],
  ])(
    'when the value ends with %s at the boundary, then it is not split inside',
    (_, value, sizes) => {
      const chunks = splitTxt(value)
      expect(chunks.map(octets)).toEqual(sizes)
      expect(chunks.join('')).toBe(value)
    },
  )
})

describe('quoteTxt', () => {
  it.each([
    ['v=STSv1; id=abc', '"v=STSv1; id=abc"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['a\\b', '"a\\\\b"'],
    ['\\"', '"\\\\\\""'],
    ['', '""'],
  ])('when the chunk is %j, then it is quoted as %j', (chunk, expected) => {
    expect(quoteTxt(chunk)).toBe(expected)
  })
})

describe('renderBind', () => {
  const records = domainRecords({
    domain: 'example.com',
    serviceHost: 'policy.example.net',
    policyId: 'abc123',
    tlsRptRua: ['mailto:tlsrpt@example.com'],
  })

  it('when records are rendered without a TTL, then the zone fragment is byte-exact', () => {
    expect(renderBind(records)).toBe(
      `; ${records[0]?.purpose}\n` +
        'mta-sts.example.com. IN CNAME policy.example.net.\n' +
        '\n' +
        `; ${records[1]?.purpose}\n` +
        '_mta-sts.example.com. IN TXT "v=STSv1; id=abc123"\n' +
        '\n' +
        `; ${records[2]?.purpose}\n` +
        '_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"\n',
    )
  })

  it('when a TTL is given, then it follows the name', () => {
    expect(renderBind(records.slice(0, 1), [], { ttl: 3600 })).toBe(
      `; ${records[0]?.purpose}\nmta-sts.example.com. 3600 IN CNAME policy.example.net.\n`,
    )
  })

  it('when a TXT value is longer than 255 octets, then it is written as several strings', () => {
    const value = `v=TLSRPTv1; rua=https://r.example.net/${'a'.repeat(300)}`
    const out = renderBind([{ name: 'x.example.com', type: 'TXT', value, purpose: 'p' }])
    expect(out).toBe(`; p\nx.example.com. IN TXT "${value.slice(0, 255)}" "${value.slice(255)}"\n`)
  })

  it('when a TXT value contains quotes and backslashes, then they are escaped', () => {
    const out = renderBind([{ name: 'x.example.com', type: 'TXT', value: 'a"b\\c', purpose: 'p' }])
    expect(out).toBe('; p\nx.example.com. IN TXT "a\\"b\\\\c"\n')
  })

  it('when there are warnings, then they come first as comments, one line each', () => {
    const out = renderBind(records.slice(0, 1), ['not public', 'two\nlines'])
    expect(out).toBe(
      '; WARNING: not public\n; WARNING: two lines\n\n' +
        `; ${records[0]?.purpose}\nmta-sts.example.com. IN CNAME policy.example.net.\n`,
    )
  })

  it('when there are no records, then the output is empty', () => {
    expect(renderBind([])).toBe('')
  })
})
