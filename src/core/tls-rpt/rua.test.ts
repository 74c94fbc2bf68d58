import { describe, expect, it } from 'vitest'
import { RuaUri, TlsRptSettings, renderTlsRptRecord } from './rua.js'

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
