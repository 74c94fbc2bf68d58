import { describe, expect, it } from 'vitest'
import { parseStsRecord, renderStsRecord, type StsRecord } from './sts-record.js'

const record = (id: string, more: Partial<StsRecord> = {}): StsRecord => ({
  id,
  extensions: {},
  duplicates: [],
  ...more,
})

describe('parseStsRecord', () => {
  it.each(['1', '20260301120000', 'a'.repeat(32), 'AbC123', '0123456789abcdef0123456789abcdef'])(
    'when the id %j is rendered and parsed, then it comes back unchanged',
    (id) => {
      expect(parseStsRecord(renderStsRecord(id))).toEqual({ ok: true, value: record(id) })
    },
  )

  it.each<[string, string, StsRecord]>([
    ['the RFC 8461 §3.1 example', 'v=STSv1; id=20160831085700Z;', record('20160831085700Z')],
    ['no space after ";"', 'v=STSv1;id=abc', record('abc')],
    ['a trailing ";" and spaces', 'v=STSv1; id=abc ;  ', record('abc')],
    ['tabs around ";"', 'v=STSv1;\tid=abc\t;\t', record('abc')],
    ['trailing spaces without ";"', 'v=STSv1; id=abc  ', record('abc')],
    [
      'an extension field (ignored, kept for inspection)',
      'v=STSv1; id=abc; ext.name_1-x=some:value',
      record('abc', { extensions: { 'ext.name_1-x': 'some:value' } }),
    ],
    [
      'an extension before the id',
      'v=STSv1; x=1; id=abc',
      record('abc', { extensions: { x: '1' } }),
    ],
    [
      'a repeated id (RFC 8461 §3.2: the first counts)',
      'v=STSv1; id=first; id=second',
      record('first', { duplicates: ['id'] }),
    ],
    [
      'a field named "ID" (names are case-sensitive: an extension)',
      'v=STSv1; id=abc; ID=other',
      record('abc', { extensions: { ID: 'other' } }),
    ],
    ['two character-strings joined', 'v=STSv1; id=2026' + '0301', record('20260301')],
  ])('when the record has %s, then it parses', (_, text, expected) => {
    expect(parseStsRecord(text)).toEqual({ ok: true, value: expected })
  })

  it.each<[string, string, string[]]>([
    ['an empty string', '', ['v']],
    ['another record', 'v=spf1 -all', ['v']],
    ['a lower-case version (RFC 7405 %s)', 'v=stsv1; id=abc', ['v']],
    ['an upper-case V', 'V=STSv1; id=abc', ['v']],
    ['a version with more digits', 'v=STSv10; id=abc', ['v']],
    ['leading whitespace', ' v=STSv1; id=abc', ['v']],
    ['a space before the first ";" (discarded by senders)', 'v=STSv1 ; id=abc', ['v']],
    ['the version alone', 'v=STSv1', ['v', 'id']],
    ['no id', 'v=STSv1; x=1', ['id']],
    ['an upper-case ID= only', 'v=STSv1; ID=abc', ['id']],
    ['an empty id', 'v=STSv1; id=', ['id']],
    ['an id of 33 characters', `v=STSv1; id=${'a'.repeat(33)}`, ['id']],
    ['an id with a hyphen', 'v=STSv1; id=2026-03-01', ['id']],
    ['an id with a space', 'v=STSv1; id=abc def', ['id']],
    ['a doubled ";"', 'v=STSv1;; id=abc', ['field.2']],
    ['a field without "="', 'v=STSv1; id=abc; junk', ['field.3']],
    ['an extension name starting with "_"', 'v=STSv1; id=abc; _x=1', ['field.3']],
    ['an extension value with "="', 'v=STSv1; id=abc; x=a=b', ['x']],
    ['an extension value with a space', 'v=STSv1; id=abc; x=a b', ['x']],
    ['an empty extension value', 'v=STSv1; id=abc; x=', ['x']],
    ['several problems', 'v=STSv1 ;id=a-b; ;x=', ['v', 'field.3', 'id', 'x']],
  ])('when the record has %s, then it is refused at %j', (_, text, paths) => {
    const result = parseStsRecord(text)
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(paths)
  })
})
