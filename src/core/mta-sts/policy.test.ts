import { describe, expect, it } from 'vitest'
import type { MtaStsPolicy, MtaStsPolicyInputT } from './policy.js'
import { MAX_AGE_LIMIT, MtaStsPolicyInput, parsePolicy, renderPolicy } from './policy.js'

const base: MtaStsPolicy = { mode: 'enforce', mx: ['mail.example.com'], maxAge: 604800 }

function issuePaths(input: unknown): (string | number)[][] {
  const result = MtaStsPolicyInput.safeParse(input)
  return result.success ? [] : result.error.issues.map((issue) => issue.path as (string | number)[])
}

describe('MtaStsPolicyInput', () => {
  it.each<[string, MtaStsPolicyInputT, MtaStsPolicy]>([
    ['mode enforce', base, base],
    ['mode testing', { ...base, mode: 'testing' }, { ...base, mode: 'testing' }],
    [
      'mode none without mx',
      { mode: 'none', maxAge: 86400 },
      { mode: 'none', mx: [], maxAge: 86400 },
    ],
    ['mode none with mx', { ...base, mode: 'none' }, { ...base, mode: 'none' }],
    ['max_age 0', { ...base, maxAge: 0 }, { ...base, maxAge: 0 }],
    ['max_age at the limit', { ...base, maxAge: MAX_AGE_LIMIT }, { ...base, maxAge: 31557600 }],
    [
      'mx patterns in mixed case with a wildcard and an IDN',
      { ...base, mx: ['Mail.Example.COM.', '*.example.net', 'mx.bücher.example'] },
      { ...base, mx: ['mail.example.com', '*.example.net', 'mx.xn--bcher-kva.example'] },
    ],
  ])('when the policy has %s, then it is accepted and normalised', (_, input, expected) => {
    expect(MtaStsPolicyInput.parse(input)).toEqual(expected)
  })

  it.each<[string, unknown, (string | number)[][]]>([
    ['max_age above the limit', { ...base, maxAge: 31557601 }, [['maxAge']]],
    ['a negative max_age', { ...base, maxAge: -1 }, [['maxAge']]],
    ['a fractional max_age', { ...base, maxAge: 1.5 }, [['maxAge']]],
    ['a string max_age', { ...base, maxAge: '604800' }, [['maxAge']]],
    ['mode enforce without mx', { mode: 'enforce', maxAge: 1 }, [['mx']]],
    ['mode testing with empty mx', { mode: 'testing', mx: [], maxAge: 1 }, [['mx']]],
    ['a capitalised mode', { ...base, mode: 'Enforce' }, [['mode']]],
    ['an unknown mode', { ...base, mode: 'report' }, [['mode']]],
    ['a wildcard inside a label', { ...base, mx: ['mail*.example.com'] }, [['mx', 0]]],
    ['a bare wildcard', { ...base, mx: ['*'] }, [['mx', 0]]],
    ['a wildcard over one label', { ...base, mx: ['*.com'] }, [['mx', 0]]],
    ['a leading dot', { ...base, mx: ['.example.com'] }, [['mx', 0]]],
    ['an IP address', { ...base, mx: ['192.0.2.1'] }, [['mx', 0]]],
    ['a duplicate mx', { ...base, mx: ['a.example.com', 'a.example.com'] }, [['mx', 1]]],
    [
      'duplicates differing only in case and trailing dot',
      { ...base, mx: ['a.example.com', 'b.example.com', 'A.Example.com.'] },
      [['mx', 2]],
    ],
    ['an unknown key', { ...base, max_age: 5 }, [[]]],
    [
      'too many mx',
      { ...base, mx: Array.from({ length: 101 }, (_, i) => `m${i}.x.com`) },
      [['mx']],
    ],
    ['an over-long mx', { ...base, mx: [`${'a.'.repeat(130)}com`] }, [['mx', 0]]],
    ['no mode', { mx: ['mail.example.com'], maxAge: 1 }, [['mode']]],
  ])('when the policy has %s, then the issue paths are %j', (_, input, paths) => {
    expect(issuePaths(input)).toEqual(paths)
  })

  it('when two mx and the max_age are bad, then three issues are reported with their paths', () => {
    const input = { mode: 'enforce', mx: ['ok.example.com', 'bad*.x.com', '*.com'], maxAge: 1.5 }
    expect(issuePaths(input)).toEqual([['mx', 1], ['mx', 2], ['maxAge']])
  })

  it('when mx is missing, max_age too big and a key unknown, then all three are reported', () => {
    const input = { mode: 'testing', maxAge: MAX_AGE_LIMIT + 1, extra: true }
    expect(issuePaths(input)).toEqual([['maxAge'], [], ['mx']])
  })

  // zod 4 marks a non-integer as fatal, which skips object-level checks; the mx issue then
  // appears on the next attempt. Pinned so a zod upgrade that lifts this is noticed.
  it('when max_age is fractional and mx missing, then only the max_age issue is reported', () => {
    expect(issuePaths({ mode: 'enforce', maxAge: 1.5 })).toEqual([['maxAge']])
  })

  it('when an mx is bad and another repeats an earlier one, then both are reported', () => {
    const input = { ...base, mx: ['a.example.com', 'a..example.com', 'A.example.com'] }
    expect(issuePaths(input)).toEqual([
      ['mx', 1],
      ['mx', 2],
    ])
  })
})

describe('renderPolicy', () => {
  it('when the RFC 8461 §3.2 example is rendered, then the bytes match exactly', () => {
    const policy: MtaStsPolicy = {
      mode: 'enforce',
      mx: ['mail.example.com', '*.example.net', 'backupmx.example.com'],
      maxAge: 604800,
    }
    expect(renderPolicy(policy)).toBe(
      'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n' +
        'mx: backupmx.example.com\r\nmax_age: 604800\r\n',
    )
  })

  it.each<[MtaStsPolicy, string]>([
    [{ mode: 'none', mx: [], maxAge: 86400 }, 'version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n'],
    [
      { mode: 'none', mx: ['mx.example.com'], maxAge: 0 },
      'version: STSv1\r\nmode: none\r\nmx: mx.example.com\r\nmax_age: 0\r\n',
    ],
    [
      { mode: 'testing', mx: ['b.example.com', 'a.example.com'], maxAge: MAX_AGE_LIMIT },
      'version: STSv1\r\nmode: testing\r\nmx: b.example.com\r\nmx: a.example.com\r\n' +
        'max_age: 31557600\r\n',
    ],
  ])('when %j is rendered, then the body is exact', (policy, expected) => {
    expect(renderPolicy(policy)).toBe(expected)
  })
})

describe('parsePolicy', () => {
  const roundTrips: MtaStsPolicy[] = [
    { mode: 'enforce', mx: ['mail.example.com', '*.example.net'], maxAge: 604800 },
    { mode: 'testing', mx: ['mx.xn--bcher-kva.example'], maxAge: 0 },
    { mode: 'none', mx: [], maxAge: 86400 },
    { mode: 'none', mx: ['a.example.com', 'a.example.com'], maxAge: MAX_AGE_LIMIT },
  ]

  it.each(roundTrips)('when %j is rendered and parsed, then it comes back unchanged', (p) => {
    expect(parsePolicy(renderPolicy(p))).toEqual({ ok: true, value: { ...p, extensions: {} } })
  })

  it.each<[string, string, Partial<MtaStsPolicy> & { extensions?: Record<string, string> }]>([
    ['LF line endings', 'version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 60\n', {}],
    [
      'no final terminator',
      'version: STSv1\r\nmode: enforce\r\nmx: a.example.com\r\nmax_age: 60',
      {},
    ],
    ['mixed terminators', 'version: STSv1\nmode: enforce\r\nmx: a.example.com\nmax_age: 60', {}],
    ['trailing WSP', 'version: STSv1 \nmode: enforce\t\nmx: a.example.com  \nmax_age: 60 \n', {}],
    ['no WSP after ":"', 'version:STSv1\nmode:enforce\nmx:a.example.com\nmax_age:60\n', {}],
    ['tabs after ":"', 'version:\tSTSv1\nmode: \tenforce\nmx: a.example.com\nmax_age: 60\n', {}],
    ['fields in any order', 'max_age: 60\nmx: a.example.com\nmode: enforce\nversion: STSv1\n', {}],
    [
      'unknown fields',
      'version: STSv1\nmode: enforce\nx-note: hello world ü\nmx: a.example.com\nmax_age: 60\n',
      { extensions: { 'x-note': 'hello world ü' } },
    ],
    [
      'duplicate non-mx fields, first wins',
      'version: STSv1\nmode: enforce\nmode: none\nmx: a.example.com\nmax_age: 60\nmax_age: 1x\n',
      {},
    ],
    [
      'a ten-digit max_age',
      'version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 0000000060\n',
      {},
    ],
    ['mode none without mx', 'version: STSv1\nmode: none\nmax_age: 60\n', { mode: 'none', mx: [] }],
  ])('when the body has %s, then it is accepted', (_, text, expected) => {
    const defaults = { mode: 'enforce', mx: ['a.example.com'], maxAge: 60, extensions: {} }
    expect(parsePolicy(text)).toEqual({ ok: true, value: { ...defaults, ...expected } })
  })

  const good = ['version: STSv1', 'mode: enforce', 'mx: a.example.com', 'max_age: 60']
  const body = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('')

  it.each<[string, string, string[]]>([
    ['leading whitespace', body(' version: STSv1', ...good.slice(1)), ['line.1', 'version']],
    ['a blank line', body(...good.slice(0, 2), '', ...good.slice(2)), ['line.3']],
    ['two final terminators', `${body(...good)}\r\n`, ['line.5']],
    ['an empty body', '', ['line.1', 'version', 'mode', 'maxAge']],
    ['no version', body(...good.slice(1)), ['version']],
    ['version STSv2', body('version: STSv2', ...good.slice(1)), ['version']],
    ['version in lower case', body('version: stsv1', ...good.slice(1)), ['version']],
    ['mode Enforce', body(good[0]!, 'mode: Enforce', ...good.slice(2)), ['mode']],
    ['no mode', body(good[0]!, ...good.slice(2)), ['mode']],
    ['an 11-digit max_age', body(...good.slice(0, 3), 'max_age: 00000000060'), ['maxAge']],
    ['max_age above the limit', body(...good.slice(0, 3), 'max_age: 31557601'), ['maxAge']],
    ['a negative max_age', body(...good.slice(0, 3), 'max_age: -1'), ['maxAge']],
    ['no max_age', body(...good.slice(0, 3)), ['maxAge']],
    ['enforce without mx', body(...good.slice(0, 2), good[3]!), ['mx']],
    ['a bad mx', body(...good.slice(0, 2), 'mx: mail*.example.com', good[3]!), ['mx.0']],
    ['an upper-case mx', body(...good.slice(0, 3), 'mx: B.example.com', good[3]!), ['mx.1']],
    [
      'an mx with a trailing dot',
      body(...good.slice(0, 2), 'mx: a.example.com.', good[3]!),
      ['mx.0'],
    ],
    ['a U-label mx', body(...good.slice(0, 2), 'mx: mx.bücher.example', good[3]!), ['mx.0']],
    ['a line without ":"', body(...good, 'nonsense'), ['line.5']],
    ['a key with spaces before ":"', body(...good, 'x-a : b'), ['line.5']],
    ['an extension without a value', body(...good, 'x-a:'), ['line.5']],
    ['a control character', body(...good, 'x-a: b\u0001c'), ['line.5']],
    ['a lone CR', `${good.join('\r')}\r`, ['line.1', 'version', 'mode', 'maxAge']],
    ['a byte-order mark', `\ufeff${body(...good)}`, ['line.1', 'version']],
  ])('when the body has %s, then it is refused at %j', (_, text, paths) => {
    const result = parsePolicy(text)
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(paths)
  })

  it('when the body has several problems, then every one is reported', () => {
    const text =
      'version: STSv2\nmode: enforce\n mx: a.example.com\nmx: *.com\nmax_age: 12345678901\n'
    const result = parsePolicy(text)
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual([
      'line.3',
      'version',
      'maxAge',
      'mx.0',
    ])
  })
})
