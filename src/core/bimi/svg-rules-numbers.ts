/**
 * Numbers, path data and `<use>` expansion: what the schema leaves as `xsd:string` but a
 * receiver's renderer must parse (issue 9 finding 12). A logo that passes here has finite
 * coordinates of a sane size, path data a renderer reads to the end, and a drawing whose
 * `<use>` references neither loop nor multiply into more elements than a logo has.
 */
import { shown, svgIssue } from './svg-issues.js'
import { attributeKey, elementPath } from './svg-tree.js'
import type { SvgDocument, SvgElement } from './svg-tree.js'
import type { SvgIssue } from './types.js'
import { fragmentId } from './svg-rules-references.js'

/**
 * Largest magnitude of any number. SVG 1.1 §4.2 promises viewers only single-precision range
 * (±3.4e38), so 1e308 already breaks them and 1e309 is not finite even in double precision; a
 * logo's coordinates stay within thousands, so ±1e9 refuses nothing real.
 */
export const MAX_SVG_NUMBER = 1e9

/**
 * Most elements a logo may draw once `<use>` references are expanded: a 32 KiB logo holds a few
 * thousand elements; a chain of `<use>` that multiplies them (10^10 from 2 KiB) only burns the
 * receiver's renderer.
 */
export const MAX_RENDERED_ELEMENTS = 10_000

/** Attributes whose values are numbers, lengths, lists of them, or transforms. */
const NUMERIC = new Set([
  ...['x', 'y', 'width', 'height', 'cx', 'cy', 'r', 'rx', 'ry', 'x1', 'y1', 'x2', 'y2'],
  ...['fx', 'fy', 'offset', 'points', 'viewBox', 'transform', 'gradientTransform'],
  ...['stroke-width', 'stroke-miterlimit', 'stroke-dashoffset', 'stroke-dasharray'],
  ...['font-size', 'fill-opacity', 'stroke-opacity', 'stop-opacity', 'opacity', 'solid-opacity'],
  ...['letter-spacing', 'word-spacing', 'line-increment', 'pathLength'],
])

// SVG 1.1 §4.2 / §8.3.9 number: decimal or scientific notation. Sticky: one number, here.
const NUMBER_AT = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y
const ANY_NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/g

const outOfRange = (text: string): boolean => {
  const n = Number(text)
  return !Number.isFinite(n) || Math.abs(n) > MAX_SVG_NUMBER
}

const rangeMessage = (key: string, n: string) =>
  `${key} has the number ${shown(n)}; numbers must be finite and within ±${MAX_SVG_NUMBER}`

/** SVG 1.1 §4.2: every number in a numeric attribute is finite and within ±MAX_SVG_NUMBER. */
export function checkNumbers(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const el of doc.elements) {
    for (const a of el.attributes) {
      const key = attributeKey(a)
      if (key === 'd' && el.local === 'path') {
        const problem = pathDataProblem(a.value)
        if (problem) issues.push(svgIssue(problem[0], elementPath(el), problem[1]))
        continue
      }
      if (!NUMERIC.has(key)) continue
      const bad = (a.value.match(ANY_NUMBER) ?? []).find(outOfRange)
      if (bad !== undefined)
        issues.push(svgIssue('number-range', elementPath(el), rangeMessage(key, bad)))
    }
  }
  return issues
}

/** Arguments per path command (SVG 1.1 §8.3.9); `a` is SVG 1.1 only, kept for editors' exports. */
const ARGUMENTS: Readonly<Record<string, number>> = {
  m: 2,
  l: 2,
  h: 1,
  v: 1,
  c: 6,
  s: 4,
  q: 4,
  t: 2,
  a: 7,
  z: 0,
}

type PathProblem = ['path-data' | 'number-range', string]

/**
 * SVG 1.1 §8.3.9 / SVG Tiny 1.2 §8.3 path data grammar, in one linear pass: a moveto first,
 * known commands, whole argument groups (arc flags are single 0/1 digits), numbers in range.
 * Renderers stop drawing at the first error (SVG 1.1 §F.2), so a malformed `d` draws less.
 */
export function pathDataProblem(d: string): PathProblem | null {
  let i = 0
  const skipSpace = () => {
    while (i < d.length && ' \t\n\r'.includes(d[i] as string)) i++
  }
  const skipCommaSpace = () => {
    skipSpace()
    if (d[i] === ',') {
      i++
      skipSpace()
    }
  }
  const fail = (what: string): PathProblem => [
    'path-data',
    `d is not valid path data: ${what} at character ${i + 1} (${shown(d.slice(i, i + 12))})`,
  ]
  skipSpace()
  if (i === d.length) return null
  if (d[i] !== 'M' && d[i] !== 'm') return fail('it must start with a moveto (M or m)')
  while (i < d.length) {
    const command = d[i] as string
    const count = ARGUMENTS[command.toLowerCase()]
    if (count === undefined) return fail(`"${command}" is not a path command`)
    i++
    skipSpace()
    if (count === 0) continue
    // One argument group, then more while a number follows (implicit repeats).
    for (let group = 0; ; group++) {
      for (let k = 0; k < count; k++) {
        if (k > 0) skipCommaSpace()
        if (command.toLowerCase() === 'a' && (k === 3 || k === 4)) {
          if (d[i] !== '0' && d[i] !== '1') return fail('an arc flag must be 0 or 1')
          i++
          continue
        }
        NUMBER_AT.lastIndex = i
        const m = NUMBER_AT.exec(d)
        if (!m)
          return fail(group === 0 || k > 0 ? `"${command}" needs ${count} numbers` : 'a number')
        if (outOfRange(m[0])) return ['number-range', rangeMessage('d', m[0])]
        i += m[0].length
      }
      skipCommaSpace()
      if (i >= d.length || !/[0-9+\-.]/.test(d[i] as string)) break
    }
  }
  return null
}

/**
 * SVG Tiny 1.2 §5.6 (`use`): a reference that draws itself (directly or through the element
 * it draws) never ends; one that multiplies elements past MAX_RENDERED_ELEMENTS is refused.
 * Explicit-stack walk: a hostile document cannot exhaust the call stack.
 */
export function checkUseReferences(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  const looped = new Set<SvgElement>()
  const drawn = new Map<SvgElement, number>()
  const onPath = new Set<SvgElement>()
  const targetOf = (el: SvgElement): SvgElement | undefined => {
    if (el.local !== 'use') return undefined
    const href = el.attributes.find((a) => a.local === 'href')
    const id = href ? fragmentId(href.value.trim()) : null
    return id === null ? undefined : doc.ids.get(id)
  }
  const edges = (el: SvgElement): SvgElement[] => {
    const target = targetOf(el)
    // A copy: the walk pops from it.
    return target ? [...el.children, target] : [...el.children]
  }
  const stack: Array<{ el: SvgElement; next: SvgElement[]; total: number }> = []
  const enter = (el: SvgElement) => {
    onPath.add(el)
    stack.push({ el, next: edges(el), total: 1 })
  }
  enter(doc.root)
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    const dep = top.next.pop()
    if (dep === undefined) {
      stack.pop()
      onPath.delete(top.el)
      drawn.set(top.el, top.total)
      const parent = stack[stack.length - 1]
      if (parent) parent.total = Math.min(parent.total + top.total, MAX_RENDERED_ELEMENTS + 1)
      continue
    }
    const known = drawn.get(dep)
    if (known !== undefined) top.total = Math.min(top.total + known, MAX_RENDERED_ELEMENTS + 1)
    else if (onPath.has(dep)) {
      // The edge closes a loop; the `use` that made it is reported once.
      const use = [...stack].reverse().find((f) => f.el.local === 'use')?.el ?? top.el
      if (!looped.has(use)) {
        looped.add(use)
        const message = `<use> draws ${elementPath(dep)}, which contains this <use>: the drawing never ends`
        issues.push(svgIssue('use-loop', elementPath(use), message))
      }
    } else enter(dep)
  }
  const total = drawn.get(doc.root) ?? 0
  if (total > MAX_RENDERED_ELEMENTS) {
    const message = `with its <use> references expanded the logo draws over ${MAX_RENDERED_ELEMENTS} elements`
    issues.push(svgIssue('use-expansion', elementPath(doc.root), message))
  }
  return issues
}
