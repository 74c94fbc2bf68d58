import { describe, expect, it } from 'vitest'
import { convertToTinyPs, MAX_CONVERT_INPUT_BYTES } from './convert.js'

const NS = 'xmlns="http://www.w3.org/2000/svg"'
const LOGO = `<svg ${NS} viewBox="0 0 10 10"><title>T</title><rect width="10" height="10" fill="#fff"/><circle cx="5" cy="5" r="2" fill="#c00"/></svg>`

const laughs = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE svg [',
  '<!ENTITY a "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${'&a;'.repeat(10)}">`),
  ']>',
  `<svg ${NS}><title>&bbbbbbbbb;</title></svg>`,
].join('\n')

describe('convertToTinyPs input screening', () => {
  it.each([
    [
      'an internal entity',
      `<!DOCTYPE svg [<!ENTITY n "Acme">]><svg ${NS}><title>&n;</title></svg>`,
    ],
    [
      'an external entity (XXE)',
      `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg ${NS}>&x;</svg>`,
    ],
    [
      'a remote DTD',
      `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">${LOGO}`,
    ],
    ['billion laughs', laughs],
  ])('when the input carries %s, then it is refused unread and at once', (_, input) => {
    const started = performance.now()
    expect(() => convertToTinyPs(input)).toThrow(/<!DOCTYPE> declaration, which is refused unread/)
    expect(performance.now() - started).toBeLessThan(50)
  })

  it('when the input is over 256 KiB, then it is refused before parsing', () => {
    const big = LOGO.replace('</svg>', `<desc>${'x'.repeat(MAX_CONVERT_INPUT_BYTES)}</desc></svg>`)
    expect(() => convertToTinyPs(big)).toThrow(/conversion takes at most 262144/)
  })

  it('when the input is not well-formed XML, then the error says so', () => {
    expect(() => convertToTinyPs(`<svg ${NS}><rect></svg>`)).toThrow(/not well-formed XML/)
  })

  it('when the input uses an undeclared entity, then it is refused, not expanded', () => {
    expect(() => convertToTinyPs(LOGO.replace('>T<', '>&xxe;<'))).toThrow(/not well-formed XML/)
  })

  it('when the input starts with a byte-order mark, then it is dropped and said so', () => {
    const result = convertToTinyPs(`\uFEFF${LOGO}`)
    expect(result.changes[0]).toBe('removed the byte-order mark (UTF-8 needs none)')
    expect(result.svg.startsWith('<svg')).toBe(true)
  })

  it('when the XML declaration names another encoding, then it is removed (output is UTF-8)', () => {
    const result = convertToTinyPs(`<?xml version="1.0" encoding="ISO-8859-1"?>${LOGO}`)
    expect(result.changes[0]).toBe(
      'removed the XML declaration (the output is UTF-8, which needs none)',
    )
    expect(result.verdict.errors.map((e) => e.rule)).not.toContain('encoding')
  })

  it('when a stylesheet processing instruction is present, then it is removed and named', () => {
    const result = convertToTinyPs(`<?xml-stylesheet href="https://evil.example/x.css"?>${LOGO}`)
    expect(result.changes).toContain(
      'removed <?xml-stylesheet href="https://evil.example/x.css"?> (an external stylesheet; not allowed)',
    )
    expect(result.svg).not.toContain('evil')
  })
})
