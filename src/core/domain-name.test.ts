import { describe, expect, it } from 'vitest'
import {
  DomainName,
  hostFromHeader,
  normalizeDomainName,
  normalizeHostname,
} from './domain-name.js'

const label63 = 'a'.repeat(63)
const label64 = 'a'.repeat(64)
// Three 63-octet labels, 57 + 3 letters and four dots: 253 octets; one more letter makes 254.
const name253 = `${label63}.${label63}.${label63}.${'b'.repeat(57)}.com`
const name254 = `${label63}.${label63}.${label63}.${'b'.repeat(58)}.com`

describe('normalizeDomainName', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['  example.com  ', 'example.com'],
    ['example.com.', 'example.com'],
    ['Bücher.example', 'xn--bcher-kva.example'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['xn--mnchen-3ya.de', 'xn--mnchen-3ya.de'],
    ['faß.de', 'xn--fa-hia.de'], // nontransitional: ß stays ß
    ['example.co.uk', 'example.co.uk'],
    ['sub.example.com', 'sub.example.com'],
    ['1a.example.com', '1a.example.com'],
    [`${label63}.com`, `${label63}.com`],
    [name253, name253],
    // Under a private PSL suffix: one owner's name (issue 9: github.io itself is not).
    ['alice.github.io', 'alice.github.io'],
  ])('when the input is %j, then it normalises to %j', (input, expected) => {
    expect(normalizeDomainName(input)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['.', 'must not be empty'],
    ['_x.example.com', 'letters, digits and hyphens'],
    ['-a.example.com', 'must not begin or end with a hyphen'],
    ['a-.example.com', 'must not begin or end with a hyphen'],
    ['ab--c.example.com', 'positions 3 and 4'],
    ['a b.com', 'letters, digits and hyphens'],
    ['a..b.com', 'empty label'],
    ['.example.com', 'empty label'],
    ['example.com..', 'empty label'],
    ['xn--zz.com', 'not a valid internationalized domain name'],
    [`${label64}.com`, 'is 64 octets'],
    [name254, 'is 254 octets long'],
    ['localhost', 'at least two labels'],
    ['com', 'public suffix'],
    ['COM.', 'public suffix'],
    ['co.uk', 'public suffix'],
    ['xn--p1ai', 'public suffix'],
    ['рф', 'public suffix'],
    // Issue 9 finding 3: the private section too; names under it belong to different owners.
    ['github.io', 'public suffix'],
    ['GitHub.IO.', 'public suffix'],
    ['1.2.3.4', 'not an IP address'],
    ['::1', 'not an IP address'],
    ['[::1]', 'not an IP address'],
    ['example.123', 'all-numeric'],
    ['exa_mple.com:25', 'letters, digits and hyphens'],
  ])('when the input is %j, then it is refused with "%s"', (input, message) => {
    const result = normalizeDomainName(input)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((issue) => issue.message).join('\n')).toContain(message)
    for (const issue of result.issues) expect(issue.path).toBe('')
  })

  it('when a name has several problems, then every one is reported', () => {
    const result = normalizeDomainName(`-a.b_c.${label64}.com`)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((issue) => issue.message)).toEqual([
      'label "-a" must not begin or end with a hyphen',
      'label "b_c" may contain only letters, digits and hyphens',
      `label "${label64}" is 64 octets; at most 63 allowed`,
    ])
  })
})

describe('normalizeHostname', () => {
  it.each([
    ['Mail.Example.COM.', 'mail.example.com'],
    ['co.uk', 'co.uk'],
    ['mx.bücher.example', 'mx.xn--bcher-kva.example'],
  ])('when the input is %j, then it normalises to %j', (input, expected) => {
    expect(normalizeHostname(input)).toEqual({ ok: true, value: expected })
  })

  it.each([['com'], ['1.2.3.4'], ['a..b'], ['mail_1.example.com'], ['']])(
    'when the input is %j, then it is refused',
    (input) => {
      expect(normalizeHostname(input).ok).toBe(false)
    },
  )
})

describe('hostFromHeader', () => {
  it.each([
    ['Mta-Sts.Example.COM:8080', 'mta-sts.example.com'],
    ['mta-sts.example.com', 'mta-sts.example.com'],
    ['example.com.', 'example.com'],
    ['example.com.:443', 'example.com'],
    ['example.com:', 'example.com'],
    ['[::1]:443', '::1'],
    ['[::1]', '::1'],
    ['[2001:DB8::1]:8080', '2001:db8::1'],
    ['127.0.0.1:8080', '127.0.0.1'],
    [undefined, null],
    ['', null],
    [':8080', null],
    ['a b', null],
    ['a\tb.com', null],
    ['a\u0000b.com', null],
    ['example.com/x', null],
    ['user@example.com', null],
    ['example.com:80x', null],
    ['example.com:123456', null],
    ['[::1', null],
    ['[::1]x', null],
    ['[::1]:x', null],
    ['bücher.example', null],
    [`${'a'.repeat(254)}`, null],
  ])('when the header is %j, then the host is %j', (header, expected) => {
    expect(hostFromHeader(header)).toBe(expected)
  })
})

describe('DomainName schema', () => {
  it('when the input is valid, then the output is normalised', () => {
    expect(DomainName.parse('Bücher.Example.')).toBe('xn--bcher-kva.example')
  })

  it('when the input has two problems, then both become zod issues', () => {
    const result = DomainName.safeParse('-a.b_c.com')
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['custom', []],
      ['custom', []],
    ])
  })

  it('when the input is over 1000 characters, then it is refused before parsing', () => {
    expect(DomainName.safeParse('a.'.repeat(500) + 'com').success).toBe(false)
  })
})
