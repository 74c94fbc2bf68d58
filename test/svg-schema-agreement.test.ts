// Our SVG Tiny PS verdicts against the BIMI Group RELAX NG schema, run with jing (Debian `jing`).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SVG_RULES } from '../src/core/bimi/svg-issues.js'
import { ATTRIBUTES } from '../src/core/bimi/svg-profile.js'
import { validateSvgTinyPs } from '../src/core/bimi/svg-validate.js'
import { CONSTRAINED, ENUMERATED, ENUMERATED_ON } from '../src/core/bimi/svg-values.js'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const RNC = here('fixtures/svg-tiny-ps/SVG_PS-latest.rnc')
const RNC_SHA256 = '21aa62ccf4c718c34d816435afec4630981d47490d36b85b96a61529dff82932'
const CORPUS = here('fixtures/svg/')

// Errors the schema cannot see (specs.md D.5): a document may fail only these and still pass jing.
const PROSE_RULES = new Set([
  'size',
  'encoding',
  'doctype',
  'processing-instruction',
  'title-empty',
  'external-reference',
  'raster-image',
  'viewbox-invalid',
  'number-range',
  'path-data',
  'use-loop',
  'use-expansion',
  'aspect-ratio',
  'color-count',
])

function requireJing(): void {
  const probe = spawnSync('jing', [], { encoding: 'utf8' })
  if (probe.error) {
    throw new Error(
      'jing is not installed: the schema agreement test needs it. Install it with ' +
        '`apt-get install -y jing` (Debian package jing) and run the tests again.',
    )
  }
}

/** jing's first error per file (absent: valid). jing stops a batch at a fatal error; resume after it. */
function jingErrors(files: string[]): Map<string, string> {
  const errors = new Map<string, string>()
  let rest = files
  while (rest.length > 0) {
    const run = spawnSync('jing', ['-c', RNC, ...rest], { encoding: 'utf8', maxBuffer: 1 << 26 })
    let resume = rest.length
    let parsed = 0
    for (const line of run.stdout.split('\n')) {
      const m = /^(.+?):\d+:\d+: (error|fatal): (.*)$/.exec(line)
      if (!m) continue
      const [, file = '', kind, message = ''] = m
      parsed++
      if (!errors.has(file)) errors.set(file, message)
      if (kind === 'fatal') resume = rest.indexOf(file) + 1
    }
    if (resume === 0 || (run.status !== 0 && parsed === 0)) {
      throw new Error(`jing failed: ${run.error?.message ?? ''}\n${run.stdout}\n${run.stderr}`)
    }
    rest = rest.slice(resume)
  }
  return errors
}

const schemaErrors = (svg: string | Uint8Array): string[] =>
  validateSvgTinyPs(svg)
    .errors.map((e) => e.rule)
    .filter((rule) => !PROSE_RULES.has(rule))

beforeAll(requireJing)

describe('the schema copy', () => {
  it('when the RNC copy is hashed, then it is byte-identical to the BIMI Group schema', () => {
    expect(createHash('sha256').update(readFileSync(RNC)).digest('hex')).toBe(RNC_SHA256)
  })

  it('when the rule catalogue is read, then its prose rules are exactly the ones listed here', () => {
    const prose = Object.entries(SVG_RULES).filter(([, r]) => r.basis === 'prose')
    expect(new Set(prose.map(([id]) => id))).toEqual(PROSE_RULES)
  })
})

const rows = readFileSync(join(CORPUS, 'EXPECTED.tsv'), 'utf8')
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([file = '', verdict = '', , jing = '']) => ({ file, verdict, jing }))
  .filter((row) => row.jing !== 'skip')

describe('corpus against jing', () => {
  let errors = new Map<string, string>()
  beforeAll(() => {
    errors = jingErrors(rows.map((r) => join(CORPUS, r.file)))
  })

  it.each(rows)('when jing checks $file, then it says $jing and we agree', ({ file, jing }) => {
    const path = join(CORPUS, file)
    const schema = errors.has(path) ? 'invalid' : 'valid'
    expect(schema, errors.get(path)).toBe(jing)
    const verdict = validateSvgTinyPs(readFileSync(path))
    if (schema === 'invalid') expect(verdict.valid).toBe(false)
    else for (const e of verdict.errors) expect(PROSE_RULES, e.rule).toContain(e.rule)
  })
})

// Probes generated from our tables, each changing one thing in a minimal valid logo: jing decides,
// and our schema-side errors must appear exactly when jing rejects.
const ROOT = 'xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"'
const ELEMENTS = Object.keys(ATTRIBUTES)
const EXTRA_ELEMENTS = ['svg', 'tspan', 'clipPath', 'symbol', 'font', 'image', 'script', 'style']
const EXTRA_ATTRIBUTES = ['style', 'opacity', 'clip-path', 'mask', 'filter', 'xml:foo', 'fx']
const ALL_ATTRIBUTES = [
  ...new Set([...ELEMENTS.flatMap((e) => [...ATTRIBUTES[e]!]), ...EXTRA_ATTRIBUTES]),
]

function place(el: string, attrs: string, content = ''): string {
  if (el === 'svg')
    return `<svg xmlns="http://www.w3.org/2000/svg"${attrs}><title>t</title>${content}</svg>`
  if (el === 'title') return `<svg ${ROOT}><title${attrs}>t${content}</title></svg>`
  const tag = `<${el}${attrs}>${content}</${el}>`
  return `<svg ${ROOT}><title>t</title>${el === 'stop' ? `<linearGradient>${tag}</linearGradient>` : tag}</svg>`
}
const rootAttrs = (el: string): string =>
  el === 'svg' ? ' version="1.2" baseProfile="tiny-ps"' : ''

function validValue(el: string, attr: string): string {
  const special: Record<string, string> = {
    version: '1.2',
    baseProfile: 'tiny-ps',
    preserveAspectRatio: 'xMidYMid meet',
    class: 'a b',
    'xml:lang': 'en-US',
  }
  return (
    special[attr] ??
    (ENUMERATED_ON[el]?.[attr] ?? ENUMERATED[attr])?.[0] ??
    CONSTRAINED[attr] ??
    'a1'
  )
}

function probes(): Map<string, string> {
  const out = new Map<string, string>()
  for (const el of ELEMENTS) {
    const allowed = [...ATTRIBUTES[el]!]
    const all = allowed.filter((a) => a !== 'xml:id').map((a) => ` ${a}="${validValue(el, a)}"`)
    out.set(`${el} with every allowed attribute`, place(el, all.join('')))
    if (allowed.includes('xml:id'))
      out.set(`${el} with xml:id`, place(el, `${rootAttrs(el)} xml:id="a"`))
    for (const a of ALL_ATTRIBUTES.filter((x) => !allowed.includes(x))) {
      out.set(`${el} with ${a}`, place(el, `${rootAttrs(el)} ${a}="1"`))
    }
    for (const a of allowed) {
      const values = [
        ...(ENUMERATED_ON[el]?.[a] ?? ENUMERATED[a] ?? []),
        ...(CONSTRAINED[a] ? [CONSTRAINED[a], ` ${CONSTRAINED[a]} `] : []),
        ...(ENUMERATED[a] || CONSTRAINED[a] ? ['inherit', 'bogus', ''] : []),
        ...(a === 'id' || a === 'xml:id' ? [' a ', '1a', 'a:b', 'é·x', ''] : []),
        ...(a === 'class' ? ['', '  ', 'a:b  c', 'a#b'] : []),
        ...(a === 'xml:lang' ? ['', ' en ', 'en_US', 'abcdefghi', 'x-klingon'] : []),
        ...(a === 'preserveAspectRatio'
          ? ['none', ' xMidYMidmeet ', 'xMidYMid slice', 'xMinYMin', 'meet']
          : []),
      ]
      for (const v of values)
        out.set(`${el} with ${a}="${v}"`, place(el, `${rootAttrs(el)} ${a}="${v}"`))
    }
    for (const child of [...ELEMENTS, ...EXTRA_ELEMENTS]) {
      out.set(`${el} containing ${child}`, place(el, rootAttrs(el), `<${child}/>`))
    }
    out.set(`${el} containing text`, place(el, rootAttrs(el), 'x'))
    out.set(`${el} containing whitespace`, place(el, rootAttrs(el), ' \n\t'))
    out.set(`${el} containing a no-break space`, place(el, rootAttrs(el), '\u00a0'))
  }
  return out
}

describe('profile tables against jing (generated probes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svg-probes-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('when every element, attribute, value and child the tables know is probed, then jing and we agree', () => {
    const cases = [...probes()].map(([name, svg], i) => ({
      name,
      svg,
      file: join(dir, `p${i}.svg`),
    }))
    for (const c of cases) writeFileSync(c.file, c.svg)
    const errors = jingErrors(cases.map((c) => c.file))
    const disagreements = cases
      .map((c) => ({ ...c, jing: errors.get(c.file), ours: schemaErrors(c.svg) }))
      .filter((c) => (c.jing !== undefined) !== c.ours.length > 0)
      .map((c) => `${c.name}: jing ${c.jing ?? 'valid'}; ours ${c.ours.join(',') || 'valid'}`)
    expect(disagreements).toEqual([])
    // Guard against vacuous probes: both outcomes must be well represented.
    expect(errors.size).toBeGreaterThan(1_000)
    expect(cases.length - errors.size).toBeGreaterThan(500)
  })
})
