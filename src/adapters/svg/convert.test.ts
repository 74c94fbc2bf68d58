import { describe, expect, it } from 'vitest'
import { convertToTinyPs } from './convert.js'

const NS = 'xmlns="http://www.w3.org/2000/svg"'
const XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
const BOX = 'viewBox="0 0 100 100"'
const HEAD = 'version="1.2" baseProfile="tiny-ps"'
const doc = (body: string, attrs = BOX) => `<svg ${NS} ${attrs}>${body}</svg>`
const tiny = (body: string, attrs = BOX) => doc(`<title>T</title>${body}`, `${attrs} ${HEAD}`)
const ROOT_LINES = [
  'set version="1.2" on <svg> (missing; required by SVG Tiny PS)',
  'set baseProfile="tiny-ps" on <svg> (missing; required by SVG Tiny PS)',
]
const SQUARE =
  '<rect width="100" height="100" fill="#fff"/><circle cx="50" cy="50" r="9" fill="#c00"/>'

interface Case {
  when: string
  input: string
  title?: string
  changes: string[]
  /** Substrings the output must contain, and must not contain. */
  has?: string[]
  lacks?: string[]
  /** Error rules the verdict must report (exactly); [] means valid. */
  errors?: string[]
}

const cases: Case[] = [
  {
    when: 'the root lacks version, baseProfile and title and a title is given',
    input: doc(SQUARE),
    title: 'Example Co',
    changes: [...ROOT_LINES, 'added <title>Example Co</title>'],
    has: [`${BOX} ${HEAD}><title>Example Co</title><rect`],
    errors: [],
  },
  {
    when: 'no title is given and none exists',
    input: doc(SQUARE),
    changes: ROOT_LINES,
    lacks: ['<title'],
    errors: ['title-missing'],
  },
  {
    when: 'the title comes after desc',
    input: tiny(SQUARE).replace('<title>T</title>', '<desc>d</desc><title>T</title>'),
    changes: ['moved <title> to be the first child of <svg>'],
    has: ['tiny-ps"><title>T</title><desc>d</desc>'],
    errors: [],
  },
  {
    when: 'class rules live in a <style> element',
    input: tiny(
      `<style>.a{fill:#f00}.b{fill:#00f;stroke:none}</style>${SQUARE.replace('fill="#c00"', 'class="a b"')}`,
    ),
    changes: [
      'removed <style> at /svg/style: all its rules were inlined',
      'applied <style> rules to /svg/circle as style="fill:#00f;stroke:none"; class="a b" no longer needed',
      'turned style="fill:#00f;stroke:none" on /svg/circle into fill="#00f", stroke="none"',
    ],
    has: ['<circle cx="50" cy="50" r="9" fill="#00f" stroke="none"/>'],
    lacks: ['<style', 'class=', 'style='],
    errors: [],
  },
  {
    when: 'a use element links with xlink:href',
    input: tiny(
      `<defs><path id="p" d="M0 0h100v100H0z"/></defs><use xlink:href="#p" fill="#0a0"/>${SQUARE}`,
      `${BOX} ${XLINK}`,
    ),
    changes: [
      'replaced xlink:href="#p" with href on /svg/use (Tiny PS uses plain href)',
      'removed unused namespace declarations xmlns:xlink',
    ],
    has: ['<use fill="#0a0" href="#p"/>'],
    lacks: ['xlink'],
    errors: [],
  },
  {
    when: 'Inkscape namespaces and style attributes are present',
    input: tiny(
      `<sodipodi:namedview id="nv"/><g inkscape:label="L" id="g1"><path style="fill:#123456;stroke:none" sodipodi:nodetypes="cc" d="M0 0h100v100H0z"/></g><circle cx="5" cy="5" r="2" fill="#fff"/>`,
      `${BOX} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"`,
    ),
    changes: [
      'removed editor element <sodipodi:namedview id="nv"> at /svg/sodipodi:namedview (not drawn)',
      'removed editor data from /svg: xmlns:inkscape, xmlns:sodipodi',
      'removed editor data from /svg/g: inkscape:label',
      'removed editor data from /svg/g/path: sodipodi:nodetypes',
      'turned style="fill:#123456;stroke:none" on /svg/g/path into fill="#123456", stroke="none"',
    ],
    lacks: ['inkscape', 'sodipodi', 'style='],
    errors: [],
  },
  {
    when: 'the artwork contains a raster image',
    input: tiny(
      `${SQUARE}<image width="10" height="10" xlink:href="data:image/png;base64,iVBORw0KGgo="/>`,
      `${BOX} ${XLINK}`,
    ),
    changes: [],
    has: ['<image width="10" height="10" xlink:href="data:image/png;base64,iVBORw0KGgo="/>'],
    errors: ['raster-image', 'forbidden-element'],
  },
  {
    when: 'Illustrator put x and y on the root',
    input: tiny(SQUARE, `x="0px" y="0px" ${BOX}`),
    changes: [
      'removed x="0px", y="0px" from the root <svg> (not allowed; ignored on the outermost <svg>, picture unchanged)',
    ],
    lacks: ['x="0px"'],
    errors: [],
  },
  {
    when: 'the root has width and height in mm but no viewBox',
    input: tiny(SQUARE.replaceAll('100', '113.386'), 'width="30mm" height="30mm"'),
    changes: ['added viewBox="0 0 113.386 113.386" from width/height (picture unchanged)'],
    has: ['viewBox="0 0 113.386 113.386"', 'width="30mm"'],
    errors: [],
  },
  {
    when: 'a shape has opacity and no stroke',
    input: tiny(
      `${SQUARE}<g opacity=".5"><rect width="9" height="9" fill="#00f" fill-opacity=".5"/></g>`,
    ),
    changes: [
      'replaced opacity=".5" on /svg/g with fill-opacity="0.25" on /svg/g/rect (the shape has no stroke)',
    ],
    has: ['<g><rect width="9" height="9" fill="#00f" fill-opacity="0.25"/></g>'],
    errors: [],
  },
  {
    when: 'a shape has opacity over both fill and stroke',
    input: tiny(`${SQUARE}<rect width="9" height="9" fill="#00f" stroke="#000" opacity=".5"/>`),
    changes: [],
    has: ['opacity=".5"'],
    errors: ['attribute-not-allowed'],
  },
  {
    when: 'a link wraps the artwork and scripts are attached',
    input: tiny(
      `<script>alert(1)</script><a href="https://example.com/">${SQUARE}</a><rect width="1" height="1" onclick="x()"/>`,
    ),
    changes: [
      'removed <script> at /svg/script (scripting and interactivity are not allowed; nothing drawn)',
      'unwrapped link <a href="https://example.com/"> at /svg/a: its content is kept in place (picture unchanged)',
      'removed event handlers onclick from /svg/rect[2] (no scripts; no effect)',
    ],
    lacks: ['<a', 'script', 'onclick'],
    errors: [],
  },
  {
    when: 'a clip path clips something else than the canvas',
    input: tiny(
      `<clipPath id="c"><circle cx="50" cy="50" r="40"/></clipPath><g clip-path="url(#c)">${SQUARE}</g>`,
    ),
    changes: [],
    has: ['<clipPath id="c">', 'clip-path="url(#c)"'],
    errors: ['element-not-allowed', 'attribute-not-allowed'],
  },
  {
    when: 'a stylesheet keeps dark-mode rules',
    input: tiny(
      `<style>@media (prefers-color-scheme: dark) { rect { fill: #000 } }</style>${SQUARE}`,
    ),
    changes: [
      'removed <style> at /svg/style; THE PICTURE CHANGES where these rules applied: "@media (prefers-color-scheme:dark) {rect{fill:#00…" (dark-mode styling, which the profile cannot express)',
    ],
    lacks: ['<style'],
    errors: [],
  },
  {
    when: 'a layer is hidden',
    input: tiny(`${SQUARE}<g style="display:none"><rect width="5" height="5" fill="#0f0"/></g>`),
    changes: [
      'turned style="display:none" on /svg/g into display="none"',
      'removed <g> at /svg/g (hidden by display; not drawn)',
    ],
    lacks: ['#0f0'],
    errors: [],
  },
  {
    when: 'text is a single Inkscape tspan',
    input: tiny(
      `${SQUARE}<text x="5" y="50" font-size="20" fill="#000"><tspan x="5" y="50">Hi</tspan></text>`,
    ),
    changes: ['merged the single <tspan> into its <text> at /svg/text (picture unchanged)'],
    has: ['<text x="5" y="50" font-size="20" fill="#000">Hi</text>'],
    errors: [],
  },
]

describe('convertToTinyPs', () => {
  for (const c of cases) {
    it(`when ${c.when}, then it reports exactly what it changed`, () => {
      const result = convertToTinyPs(c.input, { title: c.title })
      expect(result.changes).toEqual(c.changes)
      for (const s of c.has ?? []) expect(result.svg).toContain(s)
      for (const s of c.lacks ?? []) expect(result.svg).not.toContain(s)
      if (c.errors) {
        expect(result.verdict.errors.map((e) => e.rule).sort()).toEqual([...c.errors].sort())
        expect(result.verdict.valid).toBe(c.errors.length === 0)
      }
    })

    it(`when ${c.when}, then converting the output again changes nothing`, () => {
      const once = convertToTinyPs(c.input, { title: c.title })
      const twice = convertToTinyPs(once.svg, { title: c.title })
      expect(twice.changes).toEqual([])
      expect(twice.svg).toBe(once.svg)
    })
  }

  it('when the input has a viewBox, then it is kept byte for byte', () => {
    const result = convertToTinyPs(doc(SQUARE, 'viewBox="0 0 100.0 100" width="64" height="64"'))
    expect(result.svg).toContain('viewBox="0 0 100.0 100"')
  })

  it('when text stays text, then the verdict warns that it needs outlining', () => {
    const result = convertToTinyPs(tiny(`${SQUARE}<text x="5" y="50">Hi</text>`))
    expect(result.verdict.warnings.map((w) => w.rule)).toContain('text-element')
    expect(result.svg).toContain('<text x="5" y="50">Hi</text>')
  })
})
