import { describe, expect, it } from 'vitest'
import { convertToTinyPs } from './convert.js'

const NS = 'xmlns="http://www.w3.org/2000/svg"'
const HEAD = 'viewBox="0 0 100 100" version="1.2" baseProfile="tiny-ps"'
const BG = '<rect width="100" height="100" fill="#fff"/><circle cx="50" cy="50" r="9" fill="#c00"/>'
const tiny = (body: string, attrs = '') =>
  `<svg ${NS} ${HEAD}${attrs}><title>T</title>${BG}${body}</svg>`

interface Case {
  when: string
  input: string
  changes: string[]
  has?: string[]
  lacks?: string[]
  errors: string[]
}

const cases: Case[] = [
  {
    when: 'a switch offers a foreignObject and a drawing',
    input: tiny(
      '<switch><foreignObject requiredExtensions="http://ns.adobe.com/AdobeIllustrator/10.0/" width="1" height="1"/><g><rect width="5" height="5"/></g></switch>',
    ),
    changes: [
      'removed <foreignObject> from <switch> at /svg/switch (an alternative that is not drawn)',
      'unwrapped <switch> at /svg/switch: its content is kept in place (picture unchanged)',
    ],
    has: ['<g><rect width="5" height="5"/></g></svg>'],
    errors: [],
  },
  {
    when: 'a foreignObject stands on its own',
    input: tiny(
      '<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">Hi</p></foreignObject>',
    ),
    changes: [
      'removed <foreignObject> at /svg/foreignObject (not allowed; THE PICTURE MAY CHANGE in renderers that showed it)',
    ],
    lacks: ['foreignObject'],
    errors: [],
  },
  {
    when: 'the root has no namespace declaration',
    input: tiny('').replace(` ${NS}`, ''),
    changes: [
      'set xmlns="http://www.w3.org/2000/svg" on <svg> (missing; the profile is in the SVG namespace)',
    ],
    errors: [],
  },
  {
    when: 'a use points outside the document',
    input: tiny('<use href="https://example.com/logo.svg#a"/>'),
    changes: [],
    has: ['href="https://example.com/logo.svg#a"'],
    errors: ['external-reference'],
  },
  {
    when: 'a use points outside the document through xlink:href',
    input: tiny('<use xlink:href="https://example.com/logo.svg#a" focusable="false"/>').replace(
      `${NS} `,
      `${NS} xmlns:xlink="http://www.w3.org/1999/xlink" `,
    ),
    changes: ['removed focusable="false" from /svg/use (no effect)'],
    has: ['xlink:href="https://example.com/logo.svg#a"'],
    errors: ['external-reference', 'foreign-attribute'],
  },
  {
    when: 'font weights are numeric',
    input: tiny('<path d="M0 0h1" font-weight="700"/><path d="M0 0h1" font-weight="600"/>'),
    changes: ['replaced font-weight="700" with "bold" on /svg/path[1] (same weight)'],
    has: ['font-weight="bold"', 'font-weight="600"'],
    errors: ['attribute-value'],
  },
  {
    when: 'a radial gradient is squashed by its transform',
    input: tiny(
      '<radialGradient id="r" gradientTransform="scale(1 0.5)"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#fff"/></radialGradient><rect width="9" height="9" fill="url(#r)"/>',
    ),
    changes: [],
    has: ['gradientTransform="scale(1 0.5)"'],
    errors: ['attribute-not-allowed'],
  },
  {
    when: 'a group carries its own title and a link has opacity',
    input: tiny(
      '<g><title>x</title><a href="#" opacity="0.5"><rect width="5" height="5"/></a></g>',
    ),
    changes: [
      'removed <title> at /svg/g/title (only allowed as a child of <svg>; not drawn)',
      'unwrapped link <a href="#"> at /svg/g/a: its content is kept in a <g> with the same attributes (picture unchanged)',
      'replaced opacity="0.5" on /svg/g/g with fill-opacity="0.5" on /svg/g/g/rect (the shape has no stroke)',
    ],
    has: ['<g><g><rect width="5" height="5" fill-opacity="0.5"/></g></g>'],
    errors: [],
  },
  {
    when: 'a link sits inside text',
    input: tiny('<text x="1" y="9">Hi <a href="https://example.com/">there</a></text>'),
    changes: [
      'unwrapped link <a href="https://example.com/"> at /svg/text/a: its content is kept in place (picture unchanged)',
    ],
    has: ['<text x="1" y="9">Hi there</text>'],
    errors: [],
  },
  {
    when: 'the root sets interaction and slicing that do not apply',
    input: tiny(
      '',
      ' width="64" height="64" zoomAndPan="magnify" preserveAspectRatio="xMinYMin slice"',
    ),
    changes: [
      'removed zoomAndPan="magnify", preserveAspectRatio="xMinYMin slice" from /svg (no effect)',
    ],
    errors: [],
  },
  {
    when: 'a filter is unused and another is used',
    input: tiny(
      '<filter id="a"><feGaussianBlur stdDeviation="2"/></filter><filter id="b"><feGaussianBlur stdDeviation="2"/></filter><rect width="5" height="5" filter="url(#b)" display="inline"/>',
    ),
    changes: [
      'removed <filter id="a"> at /svg/filter[1] (unused definition; never drawn)',
      'removed display="inline" from /svg/rect[2] (no effect)',
    ],
    has: ['<filter id="b">', 'filter="url(#b)"'],
    errors: ['element-not-allowed', 'attribute-not-allowed'],
  },
  {
    when: 'there are two titles',
    input: tiny('<title>Second</title>'),
    changes: ['removed a second <title> "Second" (only one is allowed)'],
    lacks: ['Second'],
    errors: [],
  },
]

describe('convertToTinyPs edge cases', () => {
  for (const c of cases) {
    it(`when ${c.when}, then it reports exactly what it changed`, () => {
      const result = convertToTinyPs(c.input, {})
      expect(result.changes).toEqual(c.changes)
      for (const s of c.has ?? []) expect(result.svg).toContain(s)
      for (const s of c.lacks ?? []) expect(result.svg).not.toContain(s)
      expect(result.verdict.errors.map((e) => e.rule).sort()).toEqual([...c.errors].sort())
      expect(convertToTinyPs(result.svg, {}).changes).toEqual([])
    })
  }
})
