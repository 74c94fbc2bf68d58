/**
 * Conversion must not change the picture (issue 4, "Conversion help"): every logo under
 * fixtures/convert/ is rendered before and after conversion with rsvg-convert (Debian
 * librsvg2-bin) and compared pixel by pixel. The two `unfixable-*` logos cannot become valid
 * without changing the picture; their verdict must say why and the change list claim no fix.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import pixelmatch from 'pixelmatch'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { convertToTinyPs } from '../src/adapters/svg/convert.js'

const DIR = fileURLToPath(new URL('./fixtures/convert/', import.meta.url))
const SIZE = 256
// pixelmatch's per-pixel colour distance (0–1); 0.1 tolerates antialiasing noise only.
const THRESHOLD = 0.1
// Under 0.5 % of the 256×256 pixels may differ: coordinate rounding, never a lost shape.
const MAX_DIFFERING = 0.005

const CONVERTIBLE: Record<string, string> = {
  'inkscape-gradient.svg': 'Inkscape-style: namespaces, style attributes, linked gradient',
  'inkscape-mm-text.svg': 'old Inkscape: mm size without viewBox, hidden layer, tspan text',
  'illustrator-classes.svg': 'Illustrator-style: x/y on root, <style> class rules',
  'figma-clip.svg': 'Figma-style: clip to the artboard',
  'sketch-use.svg': 'Sketch-style: xlink:href uses, title after desc',
  'opacity-groups.svg': 'opacity on groups and shapes',
  'link-wrapper.svg': 'an <a> wrapper, script, animation and event handlers',
  'metadata-rdf.svg': 'RDF metadata',
  'gradients-transformed.svg': 'gradient links and gradientTransform chains',
}

/** Renders with rsvg-convert; a missing binary fails the test with the fix, never skips it. */
function render(svg: string): PNG {
  const run = spawnSync('rsvg-convert', ['-w', String(SIZE), '-h', String(SIZE), '-f', 'png'], {
    input: svg,
    maxBuffer: 16 * 1024 * 1024,
  })
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'rsvg-convert is not installed: apt-get install librsvg2-bin (Debian) to run the render comparison',
    )
  }
  if (run.status !== 0) throw new Error(`rsvg-convert failed: ${run.stderr.toString()}`)
  return PNG.sync.read(run.stdout)
}

/** The share of pixels that differ between the renderings of two documents. */
function differing(a: string, b: string): number {
  const [x, y] = [render(a), render(b)]
  expect([x.width, x.height, y.width, y.height]).toEqual([SIZE, SIZE, SIZE, SIZE])
  return pixelmatch(x.data, y.data, undefined, SIZE, SIZE, { threshold: THRESHOLD }) / SIZE ** 2
}

const read = (name: string) => readFileSync(`${DIR}${name}`, 'utf8')

describe('SVG → SVG Tiny PS conversion, rendered', () => {
  it('when rsvg-convert runs, then it renders a PNG of the requested size', () => {
    const png = render(read('metadata-rdf.svg'))
    expect([png.width, png.height]).toEqual([SIZE, SIZE])
  })

  it('when the output differs visibly, then the comparison notices', () => {
    const input = read('metadata-rdf.svg')
    expect(differing(input, input.replace('#D32F2F', '#1976D2'))).toBeGreaterThan(MAX_DIFFERING)
  })

  for (const [name, what] of Object.entries(CONVERTIBLE)) {
    it(`when ${name} (${what}) is converted, then it is valid and renders the same`, () => {
      const input = read(name)
      const result = convertToTinyPs(input, { title: 'Example Brand' })
      expect(result.verdict.errors).toEqual([])
      expect(result.verdict.valid).toBe(true)
      expect(result.changes.length).toBeGreaterThan(0)
      expect(differing(input, result.svg)).toBeLessThan(MAX_DIFFERING)
    })
  }

  it('when a logo embeds a raster image, then it is kept, reported, and no fix is claimed', () => {
    const input = read('unfixable-raster.svg')
    const result = convertToTinyPs(input, { title: 'Example Brand' })
    expect(result.verdict.valid).toBe(false)
    const errors = result.verdict.errors.map((e) => `${e.rule} ${e.path}`)
    expect(errors).toEqual(expect.arrayContaining(['forbidden-element /svg/image']))
    expect(errors).toEqual(expect.arrayContaining(['raster-image /svg/image']))
    expect(result.svg).toMatch(/<image [^>]*href="data:image\/png;base64,/)
    expect(result.changes.filter((c) => /image|raster|bitmap/i.test(c))).toEqual([])
    expect(differing(input, result.svg)).toBeLessThan(MAX_DIFFERING)
  })

  it('when a logo is not square, then it stays as drawn and the verdict says why', () => {
    const input = read('unfixable-wide.svg')
    const result = convertToTinyPs(input, { title: 'Example Brand' })
    expect(result.verdict.valid).toBe(false)
    expect(result.verdict.errors.map((e) => e.rule)).toEqual(['aspect-ratio', 'aspect-ratio'])
    expect(result.svg).toContain('viewBox="0 0 300 100"')
    const claims = result.changes.filter((c) => /viewBox|width|height|square|aspect/i.test(c))
    expect(claims).toEqual([])
    expect(differing(input, result.svg)).toBeLessThan(MAX_DIFFERING)
  })
})
