import { describe, expect, it } from 'vitest'
import { escapeForTerminal, escapeHiddenInJson } from './safe-text.js'

describe('escapeForTerminal', () => {
  it.each([
    ['plain name.json', 'plain name.json'],
    ['r.json\nstored\tforged', 'r.json\\nstored\\tforged'],
    ['\x1b[31mred\r', '\\x1b[31mred\\r'],
    ['a\\nb', 'a\\\\nb'],
    ['txt\u202eexe', 'txt\\u202eexe'],
    [
      '\u2066\u2069\u200e\u200f\u061c\u200b\ufeff\u00ad',
      '\\u2066\\u2069\\u200e\\u200f\\u061c\\u200b\\ufeff\\xad',
    ],
    ['\u0085\u007f\u0000', '\\x85\\x7f\\x00'],
    ['tag\u{e0041}', 'tag\\u{e0041}'],
    ['ünïcödé 名前 😀', 'ünïcödé 名前 😀'],
  ])('when the text is %j, then it is shown as %j', (input, shown) => {
    expect(escapeForTerminal(input)).toBe(shown)
  })
})

describe('escapeHiddenInJson', () => {
  it('when a JSON text carries hidden characters, then they become \\u escapes and it parses to the same value', () => {
    const value = { label: 'ops\u202etxt\u2028\u0085\u{e0041}\x1b', ok: 'ünï 😀' }
    const line = escapeHiddenInJson(JSON.stringify(value))

    expect(line).toBe('{"label":"ops\\u202etxt\\u2028\\u0085\\udb40\\udc41\\u001b","ok":"ünï 😀"}')
    expect(JSON.parse(line)).toEqual(value)
  })
})

describe('escapeHiddenInJson on pretty-printed JSON', () => {
  it('when the JSON is indented, then its line breaks stay whitespace and it still parses', () => {
    const value = [{ name: 'a\u202eb', value: 'x\ny' }]
    const text = escapeHiddenInJson(JSON.stringify(value, null, 2))

    expect(text.split('\n')).toHaveLength(6)
    expect(text).toContain('"a\\u202eb"')
    expect(JSON.parse(text)).toEqual(value)
  })
})
