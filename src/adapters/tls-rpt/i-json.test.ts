import { describe, expect, it } from 'vitest'
import { MAX_DEPTH, findIJsonProblem } from './i-json.js'

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

describe('findIJsonProblem', () => {
  it.each<[string, string]>([
    ['the same name in sibling objects', '{"a":{"x":1},"b":{"x":2}}'],
    ['the same name in parent and child', '{"x":{"x":{"x":1}}}'],
    ['the same name in objects of an array', '[{"a":1},{"a":2},{"a":3}]'],
    ['a value equal to its name', '{"a":"a","b":"a"}'],
    ['names holding , : { [ and quotes', '{"a,b":1,"a:b":2,"{[":3,"a\\"b":4,"a\\\\":5}'],
    ['a value holding what looks like a name', '{"a":"\\"a\\":1","b":[",\\"a\\""]}'],
    ['an escaped backslash before "ud800"', '{"a":"\\\\ud800"}'],
    ['a surrogate pair as escapes', '{"a":"\\ud83d\\ude00"}'],
    ['raw astral characters', '{"😀":"😀"}'],
    ['names differing only in case', '{"a":1,"A":2}'],
    [`nesting of exactly ${MAX_DEPTH} levels`, nested(MAX_DEPTH)],
    ['an empty object and array', '{"a":{},"b":[]}'],
  ])('when the text has %s, then there is no problem', (_, text) => {
    expect(JSON.parse(text)).toBeDefined()
    expect(findIJsonProblem(text)).toBeNull()
  })

  it.each<[string, string, string]>([
    ['a repeated top-level name', 'duplicate-name', '{"a":1,"b":2,"a":3}'],
    ['a repeated name deep inside', 'duplicate-name', '{"p":[{"q":{"r":1,"s":{},"r":2}}]}'],
    ['a repeat after a nested object closes', 'duplicate-name', '{"a":{"b":1},"c":2,"a":3}'],
    ['a repeat spelt with an escape', 'duplicate-name', '{"ab":1,"\\u0061b":2}'],
    ['a repeat spelt with an escaped solidus', 'duplicate-name', '{"a/":1,"a\\/":2}'],
    ['a lone high surrogate', 'code-point', '{"a":"x\\ud800"}'],
    ['a lone low surrogate in a name', 'code-point', '{"\\udc00":1}'],
    ['surrogates in the wrong order', 'code-point', '["\\ude00\\ud83d"]'],
    ['an escaped noncharacter', 'code-point', '["\\ufdd0"]'],
    ['a raw noncharacter', 'code-point', '["\uffff"]'],
    ['a raw plane-16 noncharacter', 'code-point', `["${String.fromCodePoint(0x10fffe)}"]`],
    [`nesting of ${MAX_DEPTH + 1} levels`, 'depth', nested(MAX_DEPTH + 1)],
  ])('when the text has %s, then the problem is %s', (_, rule, text) => {
    expect(findIJsonProblem(text)?.rule).toBe(rule)
  })

  it('when names repeat in a 1 MiB text, then the scan stays linear', () => {
    const members = Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')
    const started = performance.now()
    expect(findIJsonProblem(`{${members},"k0":0}`)?.rule).toBe('duplicate-name')
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
