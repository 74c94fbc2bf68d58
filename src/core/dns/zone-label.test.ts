import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { sha256, zoneLabel } from './zone-label.js'

// RFC 1035 §2.3.1, RFC 1123 §2.1: letters, digits, inner hyphens; RFC 1035 §2.3.4: ≤ 63 octets.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const LONG = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`

const domains = [
  'example.com',
  'mail.example.com',
  'example-com', // same prefix as example.com, different domain
  'example.co.m',
  'xn--mnchen-3ya.de', // münchen.de
  'xn--fiqs8s.xn--fiqz9s', // 中国.中国
  'xn--80ak6aa92e.com',
  '123.456',
  '1.2.3.4.in-addr.arpa',
  '9',
  LONG,
  `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'e'.repeat(61)}`, // same 40-char prefix
  'a-.b', // would end a prefix in '-' if not trimmed
  'a--b.c', // '--' would make an R-LDH look-alike
]

describe('zoneLabel', () => {
  it.each(domains)('when the domain is %s, then the label is one valid LDH label', (domain) => {
    const label = zoneLabel(domain)
    expect(label).toMatch(LABEL)
    expect(label.length).toBeLessThanOrEqual(63)
    // RFC 5891 §4.2.3.1: no '--' in positions 3–4 (reserved for A-labels such as xn--).
    expect(label.slice(2, 4)).not.toBe('--')
    expect(zoneLabel(domain)).toBe(label)
  })

  it.each([
    ['example.com', 'example-com-'],
    ['xn--mnchen-3ya.de', 'xn-mnchen-3ya-de-'],
    ['123.456', '123-456-'],
    [LONG, `${'a'.repeat(40)}-`],
  ])('when the domain is %s, then the label starts with %s and ends in 10 base32', (d, prefix) => {
    const label = zoneLabel(d)
    expect(label.startsWith(prefix)).toBe(true)
    expect(label.slice(prefix.length)).toMatch(/^[a-z2-7]{10}$/)
  })

  it('when the domains differ, then their labels differ, also with equal prefixes', () => {
    const labels = domains.map((d) => zoneLabel(d))
    expect(new Set(labels).size).toBe(domains.length)
  })

  it('when retried with attempts, then each attempt gives a new stable label', () => {
    const tries = [0, 1, 2, 3].map((n) => zoneLabel('example.com', n))
    expect(new Set(tries).size).toBe(4)
    expect(tries.every((l) => l.startsWith('example-com-'))).toBe(true)
    expect(zoneLabel('example.com', 2)).toBe(tries[2])
  })

  it('when hashed, then the suffix is base32 of SHA-256 of domain or domain#attempt', () => {
    const b32 = (s: string): string => {
      const bits = [...createHash('sha256').update(s).digest()]
        .map((b) => b.toString(2).padStart(8, '0'))
        .join('')
      return Array.from({ length: 10 }, (_, i) =>
        'abcdefghijklmnopqrstuvwxyz234567'.charAt(parseInt(bits.slice(i * 5, i * 5 + 5), 2)),
      ).join('')
    }
    expect(zoneLabel('example.com')).toBe(`example-com-${b32('example.com')}`)
    expect(zoneLabel('example.com', 3)).toBe(`example-com-${b32('example.com#3')}`)
  })
})

describe('sha256', () => {
  it.each([
    '',
    'abc',
    'a'.repeat(55), // padding fits one block
    'a'.repeat(56), // padding needs a second block
    'a'.repeat(64),
    'é€😀'.repeat(50),
    LONG,
  ])('when hashing %#, then it equals node:crypto', (text) => {
    expect(Buffer.from(sha256(text)).toString('hex')).toBe(
      createHash('sha256').update(text).digest('hex'),
    )
  })
})
