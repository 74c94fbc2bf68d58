import { describe, expect, it } from 'vitest'
import { normalizeColor, renderedColors } from './svg-colors.js'
import { parseSvg } from './svg-parse.js'
import type { SvgDocument } from './svg-tree.js'

const doc = (body: string, rootAttrs = ''): SvgDocument => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" ${rootAttrs}><title>t</title>${body}</svg>`
  const parsed = parseSvg(svg)
  if (!parsed.doc) throw new Error(`fixture does not parse: ${JSON.stringify(parsed.issues)}`)
  return parsed.doc
}

const GRADIENT =
  '<defs><linearGradient id="g"><stop offset="0" stop-color="#123456"/>' +
  '<stop offset="1" stop-color="#abcdef"/></linearGradient></defs>'

describe('normalizeColor', () => {
  it.each([
    ['#FFF', '#ffffff'],
    ['#0067B9', '#0067b9'],
    [' red ', '#ff0000'],
    ['White', '#ffffff'],
    ['rgb(255, 0, 0)', '#ff0000'],
    ['rgb(100%,0%,0%)', '#ff0000'],
    ['none', null],
    ['transparent', null],
    ['inherit', null],
    ['cornflowerblue', 'cornflowerblue'],
  ])('when the colour is %j, then it normalises to %j', (input, expected) => {
    expect(normalizeColor(input)).toBe(expected)
  })
})

describe('renderedColors', () => {
  it.each([
    ['an unfilled shape, which defaults to black', ['#000000'], '<path d="M0 0h1v1z"/>'],
    ['fill on the shape', ['#ffffff', '#ff0000'], '<rect fill="#fff"/><circle fill="red"/>'],
    ['fill inherited from a group', ['#0000ff'], '<g fill="#00f"><path/><path/></g>'],
    ['fill="none" and a stroke', ['#00ff00'], '<path fill="none" stroke="#0f0"/>'],
    ['zero stroke width', ['#ffffff'], '<path fill="#fff" stroke="#000" stroke-width="0"/>'],
    ['zero fill opacity', ['#000000'], '<path fill="#fff" fill-opacity="0" stroke="#000"/>'],
    [
      'the same colour spelt three ways',
      ['#ffffff'],
      '<rect fill="#FFF"/><rect fill="white"/><rect fill="rgb(255,255,255)"/>',
    ],
    ['a gradient paint', ['#123456', '#abcdef'], `${GRADIENT}<rect fill="url(#g)"/>`],
    [
      'a stop with zero opacity',
      ['#111111'],
      '<defs><radialGradient id="r"><stop stop-color="#111"/><stop stop-color="#222" stop-opacity="0"/></radialGradient></defs><rect fill="url(#r)"/>',
    ],
    [
      'a solidColor paint',
      ['#ff6600'],
      '<defs><solidColor id="s" solid-color="#f60"/></defs><rect fill="url(#s)"/>',
    ],
    ['an unresolved url with a fallback', ['#00ff00'], '<rect fill="url(#nope) #0f0"/>'],
    ['currentColor', ['#800000'], '<g color="#800000"><rect fill="currentColor"/></g>'],
    [
      'shapes in defs that nothing uses',
      ['#ffffff'],
      '<defs><rect fill="#f00"/></defs><rect fill="#fff"/>',
    ],
    [
      'use of a shape with the colour set on the use',
      ['#ff0000', '#0000ff'],
      '<defs><path id="p"/></defs><use href="#p" fill="#f00"/><use href="#p" fill="#00f"/>',
    ],
    ['a line, which has no fill', ['#333333'], '<line stroke="#333"/>'],
    ['foreign content', ['#ffffff'], '<x:r xmlns:x="urn:x" fill="#f00"/><rect fill="#fff"/>'],
  ])('when the logo has %s, then the colours are %j', (_, expected, body) => {
    expect(renderedColors(doc(body)).sort()).toEqual([...expected].sort())
  })

  it('when a use chain is deeper than eight, then the deeper content is not counted', () => {
    let defs = '<path id="l0" fill="#123"/>'
    for (let i = 1; i < 10; i++) defs += `<g id="l${i}"><use href="#l${i - 1}"/></g>`
    expect(renderedColors(doc(`<defs>${defs}</defs><use href="#l9"/>`))).toEqual([])
  })

  it('when a use chain refers to itself, then counting stops instead of looping', () => {
    const body = '<g id="a" fill="#fff"><rect/><use href="#a"/></g>'
    expect(renderedColors(doc(body))).toEqual(['#ffffff'])
  })

  it('when uses fan out exponentially, then the visit budget keeps the work bounded', () => {
    // Seven levels of ten uses each would draw the path 10^7 times.
    let defs = '<path id="l0" fill="#123"/>'
    for (let i = 1; i < 8; i++) defs += `<g id="l${i}">${`<use href="#l${i - 1}"/>`.repeat(10)}</g>`
    const start = performance.now()
    expect(
      renderedColors(doc(`<defs>${defs}</defs><use href="#l7"/><rect fill="#fff"/>`)).sort(),
    ).toEqual(['#112233', '#ffffff'])
    expect(performance.now() - start).toBeLessThan(500)
  })

  it('when a limit is given, then counting stops once that many colours are found', () => {
    const body = '<rect fill="#111"/><rect fill="#222"/><rect fill="#333"/>'
    expect(renderedColors(doc(body), 2)).toHaveLength(2)
  })
})
