import { describe, expect, it } from 'vitest'
import { parseMtaStsQuery, parsePythonLiteral } from './mta-sts-query.js'

describe('parseMtaStsQuery', () => {
  it.each([
    ['(<STSFetchResult.NONE: 0>, None)\n', { result: 'NONE' }],
    ['(<STSFetchResult.FETCH_ERROR: 2>, None)', { result: 'FETCH_ERROR' }],
    ['(<STSFetchResult.NOT_CHANGED: 3>, None)', { result: 'NOT_CHANGED' }],
    [
      "(<STSFetchResult.VALID: 1>, ('abc123', {'mx': ['a.example', '*.b.example'], " +
        "'version': 'STSv1', 'mode': 'enforce', 'max_age': 86400}))\n",
      {
        result: 'VALID',
        id: 'abc123',
        policy: {
          mx: ['a.example', '*.b.example'],
          version: 'STSv1',
          mode: 'enforce',
          max_age: 86400,
        },
      },
    ],
    [
      "(<STSFetchResult.VALID: 1>, ('x', {'mx': [], 'version': 'STSv1', 'mode': 'none', 'max_age': 0}))",
      { result: 'VALID', id: 'x', policy: { mx: [], version: 'STSv1', mode: 'none', max_age: 0 } },
    ],
  ])('when the output is %j, then it parses', (stdout, expected) => {
    expect(parseMtaStsQuery(stdout)).toEqual(expected)
  })

  it('when the output is not a result tuple, then it throws', () => {
    expect(() => parseMtaStsQuery('Traceback (most recent call last):')).toThrow(/unexpected/)
  })
})

describe('parsePythonLiteral', () => {
  it.each([
    [`"it's"`, "it's"],
    [`'a\\'b\\\\c\\x41\\u00e9'`, "a'b\\cAé"],
    ['(1, -2, True, False, None)', [1, -2, true, false, null]],
    ["{'k': ('v',), 'e': {}}", { k: ['v'], e: {} }],
  ])('when the literal is %s, then it parses', (text, expected) => {
    expect(parsePythonLiteral(text)).toEqual(expected)
  })

  it.each(["'open", '[1 2]', '1 x', 'nan'])('when the literal is %s, then it throws', (text) => {
    expect(() => parsePythonLiteral(text)).toThrow(/python literal/)
  })
})
