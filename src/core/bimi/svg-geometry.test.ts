import { describe, expect, it } from 'vitest'
import {
  isSquare,
  parseLength,
  parseViewBox,
  straightPathBounds,
  toPixels,
} from './svg-geometry.js'
import { validateSvgTinyPs } from './svg-validate.js'

describe('parseViewBox', () => {
  it.each([
    ['0 0 512 512', { x: 0, y: 0, width: 512, height: 512 }],
    ['0,0,100,100', { x: 0, y: 0, width: 100, height: 100 }],
    ['  -10 -10 , 20.5 20.5 ', { x: -10, y: -10, width: 20.5, height: 20.5 }],
    ['0 0 1e3 1E3', { x: 0, y: 0, width: 1000, height: 1000 }],
    ['0 0 512', null],
    ['0 0 512 512 1', null],
    ['0 0 0 512', null],
    ['0 0 -5 5', null],
    ['0 0 a b', null],
    ['', null],
  ])('when viewBox is %j, then it parses to %j', (value, expected) => {
    expect(parseViewBox(value)).toEqual(expected)
  })
})

describe('lengths', () => {
  it.each([
    ['512', 512],
    ['32px', 32],
    ['72pt', 96],
    ['1in', 96],
    ['2.54cm', 96],
    ['100%', null],
    ['10em', null],
    ['auto', null],
    [undefined, null],
  ])('when the length is %j, then it is %j pixels', (value, expected) => {
    const px = toPixels(parseLength(value))
    if (expected === null) expect(px).toBeNull()
    else expect(px).toBeCloseTo(expected)
  })

  it.each([
    [512, 512, true],
    [512, 511.9, true],
    [512, 500, false],
    [300, 200, false],
  ])('when the size is %d×%d, then square is %s', (w, h, expected) => {
    expect(isSquare(w, h)).toBe(expected)
  })
})

describe('straightPathBounds', () => {
  it.each([
    ['M0 0h32v32H0z', { x: 0, y: 0, width: 32, height: 32 }],
    ['M10,10 L20,10 L20,30 Z', { x: 10, y: 10, width: 10, height: 20 }],
    ['m5 5 10 0 0 10z', { x: 5, y: 5, width: 10, height: 10 }],
    ['M0 0C10 10 20 20 30 30', null],
    ['garbage', null],
  ])('when d is %j, then the bounds are %j', (d, expected) => {
    expect(straightPathBounds(d)).toEqual(expected)
  })
})

describe('aspect and size rules', () => {
  const root = (attrs: string, body = '<rect width="100%" height="100%" fill="#fff"/>') =>
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" ${attrs}>` +
    `<title>t</title><desc>d</desc>${body}<circle r="5" fill="#f00"/></svg>`
  const rules = (attrs: string): string[] => {
    const v = validateSvgTinyPs(root(attrs))
    return [...v.errors, ...v.warnings].map((i) => i.rule).sort()
  }

  it.each([
    ['viewBox="0 0 512 512"', []],
    ['viewBox="0 0 512 256"', ['aspect-ratio']],
    ['width="512" height="512"', []],
    ['width="512px" height="384pt"', []],
    ['width="300" height="200"', ['aspect-ratio']],
    ['viewBox="0 0 512 512" width="512" height="256"', ['aspect-ratio']],
    ['viewBox="0 0 512 512" width="100%" height="100%"', ['percent-size', 'percent-size']],
    ['viewBox="0 0 64 64"', ['small-size']],
    ['width="48" height="48"', ['small-size']],
    ['', ['aspect-unknown']],
    ['width="100%" height="100%"', ['aspect-unknown', 'percent-size', 'percent-size']],
    ['viewBox="0 0 512"', ['viewbox-invalid']],
    ['viewBox="0 0 0 0"', ['viewbox-invalid']],
  ])('when the root has %s, then the rules are %j', (attrs, expected) => {
    expect(rules(attrs)).toEqual([...expected].sort())
  })

  it.each([
    ['a full-size rect', '<rect width="512" height="512" fill="#fff"/>', []],
    ['a full-size straight path', '<path d="M0 0h512v512H0z" fill="#fff"/>', []],
    ['a centred disc', '<circle cx="256" cy="256" r="256" fill="#fff"/>', []],
    ['a small rect', '<rect width="100" height="100" fill="#fff"/>', ['background']],
    ['a transparent rect', '<rect width="512" height="512" fill="none"/>', ['background']],
    [
      'a half-opaque rect',
      '<rect width="512" height="512" fill="#fff" fill-opacity="0.5"/>',
      ['background'],
    ],
    [
      'a rect under a transform',
      '<g transform="scale(2)"><rect width="256" height="256"/></g>',
      [],
    ],
  ])('when the first shape is %s, then the background rules are %j', (_, body, expected) => {
    const v = validateSvgTinyPs(root('viewBox="0 0 512 512"', body))
    expect(v.warnings.map((w) => w.rule)).toEqual(expected)
  })
})
