import { describe, expect, it } from 'vitest'
import { validateSvgTinyPs } from './svg-validate.js'

// Issue 9 finding 12: each of these was accepted as SVG Tiny PS.
const ROOT = 'xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"'
const BODY = '<rect width="512" height="512" fill="#fff"/><circle r="9" cx="9" cy="9" fill="red"/>'
const logo = (body = BODY, attrs = 'viewBox="0 0 512 512"') =>
  `<svg ${ROOT} ${attrs}><title>Co</title><desc>d</desc>${body}</svg>`

const errorsOf = (svg: string) => validateSvgTinyPs(svg).errors.map((e) => e.rule)

/** `<use>` elements each drawing the previous group ten times: 10^depth elements. */
function useChain(depth: number): string {
  const groups = [`<g id="u0"><rect width="1" height="1" fill="red"/></g>`]
  for (let i = 1; i <= depth; i++) {
    const uses = Array.from({ length: 10 }, () => `<use href="#u${i - 1}"/>`).join('')
    groups.push(`<g id="u${i}">${uses}</g>`)
  }
  return `<defs>${groups.join('')}</defs><use href="#u${depth}"/>`
}

describe('SVG Tiny PS numbers, path data and use references', () => {
  it.each([
    ['malformed path data', `<path d="M0 0${'e'.repeat(40)}" fill="red"/>`, 'path-data'],
    ['path data without a leading moveto', '<path d="L10 10" fill="red"/>', 'path-data'],
    ['a path argument missing', '<path d="M0 0 L10" fill="red"/>', 'path-data'],
    ['an overflowing path number', '<path d="M0 0L1e309 1" fill="red"/>', 'number-range'],
    ['an infinite width on a shape', '<rect width="1e309" height="9" fill="red"/>', 'number-range'],
    [
      'a huge transform',
      '<g transform="scale(1e200)"><rect width="9" height="9"/></g>',
      'number-range',
    ],
    ['a self-referencing <use>', '<use id="me" href="#me"/>', 'use-loop'],
    ['a <use> inside what it draws', '<g id="a"><use href="#a"/></g>', 'use-loop'],
    [
      'a <use> cycle through two groups',
      '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>',
      'use-loop',
    ],
    ['a <use> chain expanding to 10^10 elements', useChain(10), 'use-expansion'],
  ])('when the logo has %s, then it is refused', (_, body, rule) => {
    expect(errorsOf(logo(BODY + body))).toContain(rule)
  })

  it.each([
    ['a 1e308 viewBox', 'viewBox="0 0 1e308 1e308"'],
    ['an infinite root width', 'viewBox="0 0 512 512" width="1e309" height="512"'],
  ])('when the root has %s, then it is refused', (_, attrs) => {
    expect(errorsOf(logo(BODY, attrs))).toContain('number-range')
  })

  it.each([
    [
      'compact path data',
      '<path d="M0,0L10-5.5.5.5h1v-1zm1 1c1 2 3 4 5 6s1 1 1 1q1 1 2 2t3 3z" fill="red"/>',
    ],
    ['arc flags without separators', '<path d="M10 10a5 5 0 1010 0A5 5 30 0 1 30 30" fill="red"/>'],
    ['scientific notation in range', '<path d="M1e2 1E-3L-2.5e+2 0" fill="red"/>'],
    ['empty path data', '<path d="" fill="red"/>'],
    [
      'a transform list',
      '<g transform="translate(10,20) rotate(-45) scale(.5)"><rect width="9" height="9"/></g>',
    ],
    [
      'a <use> of a group drawn twice',
      '<g id="a"><rect width="1" height="1"/></g><use href="#a"/><use href="#a"/>',
    ],
    ['a three-deep <use> chain of 1,000 elements', useChain(3)],
  ])('when the logo has %s, then no new error is reported', (_, body) => {
    expect(errorsOf(logo(BODY + body))).toEqual([])
  })
})
