import { describe, expect, it } from 'vitest'
import { canonicalSvg, matchLogo } from './logo-match.js'

const SVG = '<?xml version="1.0" encoding="UTF-8"?>\n<svg>\n  <title>A</title>\n</svg>\n'

describe('canonicalSvg', () => {
  it.each([
    ['CRLF line endings', SVG.replace(/\n/g, '\r\n')],
    ['CR line endings', SVG.replace(/\n/g, '\r')],
    ['no XML declaration', SVG.replace(/^<\?xml[^>]*\?>\n/, '')],
    ['a declaration in single quotes', SVG.replace(/"/g, "'").replace("'UTF-8'", "'utf-8'")],
    ['trailing spaces and no final newline', SVG.replace(/\n/g, ' \t\n').trimEnd()],
    ['a byte order mark', `\uFEFF${SVG}`],
  ])('when the copy differs by %s, then it is canonically equal', (_, copy) => {
    expect(canonicalSvg(copy)).toBe(canonicalSvg(SVG))
  })

  it.each([
    ['indentation', SVG.replace('  <title>', '<title>')],
    ['an added attribute', SVG.replace('<svg>', '<svg a="1">')],
    ['whitespace inside a tag', SVG.replace('<svg>', '<svg >')],
    ['text content', SVG.replace('>A<', '>B<')],
  ])('when the copy differs by %s, then it is not', (_, copy) => {
    expect(canonicalSvg(copy)).not.toBe(canonicalSvg(SVG))
  })
})

describe('matchLogo', () => {
  const path = '/certificate[1]/logotype'

  it('when the bytes are identical, then a match without findings', () => {
    expect(matchLogo(Buffer.from(SVG), SVG, path)).toEqual({ matches: true, issues: [] })
  })

  it('when equal only canonically, then a match with a warning', () => {
    const result = matchLogo(Buffer.from(SVG), SVG.replace(/\n/g, '\r\n'), path)
    expect(result).toMatchObject({ matches: true, issues: [{ rule: 'vmc-logotype-canonical' }] })
  })

  it('when the embedded bytes are not UTF-8, then a mismatch, not a throw', () => {
    const result = matchLogo(Buffer.from([0xff, 0xfe, 0x00]), SVG, path)
    expect(result).toMatchObject({ matches: false, issues: [{ rule: 'vmc-logotype-mismatch' }] })
  })
})
