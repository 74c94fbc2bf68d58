import { describe, expect, it } from 'vitest'
import { RuaUri, TlsRptSettings, parseTlsRptRecord, renderTlsRptRecord } from './rua.js'
import type { TlsRptRecord } from './rua.js'

describe('RuaUri', () => {
  it.each([
    ['mailto:tlsrpt@example.com', 'mailto:tlsrpt@example.com'],
    ['MAILTO:TlsRpt@Example.COM', 'mailto:TlsRpt@example.com'],
    ['mailto:first.last+tls@example.com', 'mailto:first.last+tls@example.com'],
    ['mailto:a%21b@example.com', 'mailto:a%21b@example.com'],
    ['mailto:reports@bücher.example', 'mailto:reports@xn--bcher-kva.example'],
    ['https://reports.example.net/v1/tlsrpt', 'https://reports.example.net/v1/tlsrpt'],
    ['HTTPS://Reports.Example.NET/V1', 'https://reports.example.net/V1'],
    ['https://reports.example.net', 'https://reports.example.net'],
    [
      'https://reports.example.net:8443/r?tenant=a&x=1',
      'https://reports.example.net:8443/r?tenant=a&x=1',
    ],
    ['https://reports.example.net/a%2Cb%3Bc%21d', 'https://reports.example.net/a%2Cb%3Bc%21d'],
  ])('when the URI is %j, then it is accepted as %j', (input, expected) => {
    expect(RuaUri.parse(input)).toBe(expected)
  })

  it.each([
    ['http://reports.example.net/', 'scheme must be mailto: or https:'],
    ['ftp://reports.example.net/', 'scheme must be mailto: or https:'],
    ['reports.example.net', 'scheme must be mailto: or https:'],
    ['tlsrpt@example.com', 'scheme must be mailto: or https:'],
    ['mailto:a,b@example.com', 'percent-encoded'],
    ['https://r.example.net/a;b', 'percent-encoded'],
    ['https://r.example.net/a!b', 'percent-encoded'],
    ['mailto:tlsrpt@example.com,https://r.example.net/', 'percent-encoded'],
    ['https://r.example.net/a%2', '%XX escape'],
    ['https://r.example.net/a b', 'spaces or control characters'],
    [' mailto:tlsrpt@example.com', 'spaces or control characters'],
    ['mailto:tlsrpt@example.com\n', 'spaces or control characters'],
    ['mailto:tlsrpt@example.com?subject=tls', '?headers'],
    ['mailto:example.com', 'needs local@domain'],
    ['mailto:a..b@example.com', 'not a dot-atom'],
    ['mailto:.a@example.com', 'not a dot-atom'],
    ['mailto:"a b"@example.com', 'spaces or control characters'],
    ['mailto:a"b@example.com', 'not a dot-atom'],
    ['mailto:a%2Cb@example.com', 'not a dot-atom'],
    ['mailto:a@example_com.net', 'host label'],
    ['mailto:a@localhost', 'host must have at least two labels'],
    ['https://user:pw@r.example.net/', 'user information'],
    ['https://r.example.net/#frag', '#fragment'],
    ['https:r.example.net/', 'needs //host'],
    ['https://192.0.2.1/r', 'not an IP address'],
    ['https://[2001:db8::1]/r', 'host'],
    ['https://r.example.net:99999/', 'port must be at most 65535'],
    ['https://r.example.net/ü', 'percent-encode'],
    ['https://r.example.net/a\\b', 'percent-encode'],
    ['https:///path', 'host must not be empty'],
    [`https://r.example.net/${'a'.repeat(500)}`, 'Too big'],
  ])('when the URI is %j, then it is refused with "%s"', (input, message) => {
    const result = RuaUri.safeParse(input)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toContain(message)
  })

  it('when an https URI has userinfo and a fragment, then both are reported', () => {
    const result = RuaUri.safeParse('https://u@r.example.net/#f')
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'an https: URI must not have a #fragment',
      'an https: URI must not contain user information',
    ])
  })
})

describe('TlsRptSettings', () => {
  const uri = (i: number): string => `mailto:r${i}@example.com`

  it.each([0, 1, 9])('when %i distinct URIs are given, then they are accepted', (n) => {
    const rua = Array.from({ length: n }, (_, i) => uri(i))
    expect(TlsRptSettings.parse({ rua })).toEqual({ rua })
  })

  it.each<[string, unknown, (string | number)[][]]>([
    [
      'ten URIs (ours makes eleven)',
      { rua: Array.from({ length: 10 }, (_, i) => uri(i)) },
      [['rua']],
    ],
    ['no rua field', {}, [['rua']]],
    ['an unknown key', { rua: [uri(0)], ruf: [] }, [[]]],
    ['a duplicate', { rua: [uri(0), uri(1), uri(0)] }, [['rua', 2]]],
    [
      'a duplicate after normalisation',
      { rua: ['https://r.example.net/x', 'HTTPS://R.example.net/x'] },
      [['rua', 1]],
    ],
    [
      'a bad URI and a duplicate',
      { rua: [uri(0), 'http://r.example.net/', uri(0)] },
      [
        ['rua', 1],
        ['rua', 2],
      ],
    ],
  ])('when the settings have %s, then the issue paths are %j', (_, input, paths) => {
    const result = TlsRptSettings.safeParse(input)
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => issue.path)).toEqual(paths)
  })
})

describe('renderTlsRptRecord', () => {
  it.each([
    [['mailto:tlsrpt@example.com'], 'v=TLSRPTv1; rua=mailto:tlsrpt@example.com'],
    [
      ['mailto:tlsrpt@example.com', 'https://reports.example.net/v1/tlsrpt'],
      'v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.net/v1/tlsrpt',
    ],
  ])('when the URIs are %j, then the record is %j', (rua, expected) => {
    expect(renderTlsRptRecord(rua)).toBe(expected)
  })
})

const tlsRpt = (rua: string[], more: Partial<TlsRptRecord> = {}): TlsRptRecord => ({
  rua,
  extensions: {},
  duplicates: [],
  ...more,
})

// Our endpoint (service URL + /tlsrpt/<22-char token>) first, then the tenant's own URIs.
const OURS = 'https://policyhost.example.net/tlsrpt/Qm9ndXNfdG9rZW5fMDEy-_'

describe('parseTlsRptRecord', () => {
  it.each<[string[]]>([
    [[OURS]],
    [['https://policyhost.example.net:8443/tlsrpt/abc_DEF-123']],
    [[OURS, 'mailto:tlsrpt@example.com']],
    [[OURS, 'mailto:a%21b@example.com', 'https://reports.example.net/v1/tlsrpt?x=1']],
    [[OURS, ...Array.from({ length: 9 }, (_, i) => `mailto:r${i}@example.com`)]],
  ])('when %j is rendered and parsed, then it comes back unchanged', (rua) => {
    expect(parseTlsRptRecord(renderTlsRptRecord(rua))).toEqual({ ok: true, value: tlsRpt(rua) })
  })

  it.each<[string, string, TlsRptRecord]>([
    [
      'the RFC 8460 §3 mailto example',
      'v=TLSRPTv1;rua=mailto:reports@example.com',
      tlsRpt(['mailto:reports@example.com']),
    ],
    [
      'the RFC 8460 §3 https example',
      'v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt',
      tlsRpt(['https://reporting.example.com/v1/tlsrpt']),
    ],
    [
      'spaces around "," and a trailing ";"',
      'v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.net/x ;',
      tlsRpt(['mailto:a@example.com', 'https://r.example.net/x']),
    ],
    [
      'an upper-case scheme and host (kept as published)',
      'v=TLSRPTv1; rua=MAILTO:Reports@Example.COM',
      tlsRpt(['MAILTO:Reports@Example.COM']),
    ],
    [
      'an extension field',
      'v=TLSRPTv1; rua=mailto:a@example.com; x-ext=1',
      tlsRpt(['mailto:a@example.com'], { extensions: { 'x-ext': '1' } }),
    ],
    [
      'two rua fields (the first counts)',
      'v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com',
      tlsRpt(['mailto:a@example.com'], { duplicates: ['rua'] }),
    ],
    [
      'two character-strings joined inside a URI',
      'v=TLSRPTv1; rua=mailto:tls' + 'rpt@example.com',
      tlsRpt(['mailto:tlsrpt@example.com']),
    ],
  ])('when the record has %s, then it parses', (_, text, expected) => {
    expect(parseTlsRptRecord(text)).toEqual({ ok: true, value: expected })
  })

  it.each<[string, string, string[]]>([
    ['an empty string', '', ['v']],
    ['an MTA-STS record', 'v=STSv1; id=abc', ['v']],
    ['a lower-case version (RFC 7405 %s)', 'v=tlsrptv1; rua=mailto:a@example.com', ['v']],
    ['a space before the first ";"', 'v=TLSRPTv1 ; rua=mailto:a@example.com', ['v']],
    ['no rua', 'v=TLSRPTv1; x=1', ['rua']],
    ['an upper-case RUA= only', 'v=TLSRPTv1; RUA=mailto:a@example.com', ['rua']],
    ['an empty rua', 'v=TLSRPTv1; rua=', ['rua.0']],
    ['an empty URI in the list', 'v=TLSRPTv1; rua=mailto:a@example.com,', ['rua.1']],
    ['an http: URI', 'v=TLSRPTv1; rua=http://r.example.net/x', ['rua.0']],
    ['an unencoded "!"', 'v=TLSRPTv1; rua=mailto:a!b@example.com', ['rua.0']],
    ['a DMARC size suffix', 'v=TLSRPTv1; rua=mailto:a@example.com!10m', ['rua.0']],
    ['a space inside a URI', 'v=TLSRPTv1; rua=https://r.example.net/a b', ['rua.0']],
    ['a mailto: without a domain', 'v=TLSRPTv1; rua=mailto:reports', ['rua.0']],
    [
      'a bad second URI and a bad extension',
      'v=TLSRPTv1; rua=mailto:a@example.com,ftp://x.example; x=a b',
      ['rua.1', 'x'],
    ],
  ])('when the record has %s, then it is refused at %j', (_, text, paths) => {
    const result = parseTlsRptRecord(text)
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(paths)
  })
})
