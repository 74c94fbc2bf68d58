import { describe, expect, it } from 'vitest'
import { convertToTinyPs } from './convert.js'
import { checkConvertBounds, combinatorsOf, MAX_CONVERT_DEPTH } from './input-bounds.js'

const NS = 'xmlns="http://www.w3.org/2000/svg"'
const nested = (depth: number, css = '') =>
  `<svg ${NS} viewBox="0 0 10 10">${css ? `<style>${css}</style>` : ''}${'<g>'.repeat(depth)}<rect width="1" height="1"/>${'</g>'.repeat(depth)}</svg>`

describe('converter input bounds (issue 9 finding 1)', () => {
  it.each([
    [
      "finding 1's input: 300 nested groups",
      nested(300, 'x g g g rect{fill:red}'),
      'the SVG nests elements over 64 deep; conversion takes at most 64 levels',
    ],
    [
      'a descendant selector too complex for the nesting',
      nested(60, 'x g g g g g rect{fill:red}'),
      /the <style> selectors are too complex for this nesting \(selector "x g g g g g rect" has 6 combinators/,
    ],
    [
      'more than 10,000 elements',
      `<svg ${NS}>${'<g/>'.repeat(10_001)}</svg>`,
      'the SVG has over 10000 elements; conversion takes at most that many',
    ],
    [
      'a :has() selector',
      nested(2, 'g:has(rect){fill:red}'),
      /uses :has\(\), which is not converted/,
    ],
    [
      'more than 2,000 selectors',
      nested(1, Array.from({ length: 2_001 }, (_, i) => `.c${i}`).join(',') + '{fill:red}'),
      'the <style> has 2001 selectors; conversion takes at most 2000',
    ],
    [
      'a selector hidden in @media',
      nested(60, '@media screen{x g g g g g rect{fill:red}}'),
      /too complex for this nesting/,
    ],
  ])(
    'when the input has %s, then it is refused before svgo with the bound named',
    (_, svg, message) => {
      const started = performance.now()
      expect(() => convertToTinyPs(svg)).toThrow(message)
      // Refused in one linear pass: finding 1's input took 10 s in svgo.
      expect(performance.now() - started).toBeLessThan(1_000)
    },
  )

  it.each([
    ['nesting at the bound (the root and 63 levels inside it)', nested(MAX_CONVERT_DEPTH - 2)],
    ['class rules as Illustrator writes them', nested(8, '.st0{fill:#c00}.st1{fill:#fff}')],
    ['a descendant selector over shallow nesting', nested(10, 'svg g g rect{fill:red}')],
  ])('when the input has %s, then it passes the bounds', (_, svg) => {
    expect(() => checkConvertBounds(svg)).not.toThrow()
  })

  it.each([
    ['.a', 0],
    ['g > rect', 1],
    ['x g g g rect', 4],
    ['a+b~c', 2],
    ['[data-x="a b"] rect', 1],
    [':not(g g) rect', 2],
    [':is( g ) rect', 1],
  ])('when the selector is %s, then it counts %i combinators', (selector, n) => {
    expect(combinatorsOf(selector)).toBe(n)
  })
})
