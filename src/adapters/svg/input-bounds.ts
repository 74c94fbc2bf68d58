/**
 * Bounds on what the converter hands to svgo, checked in one linear pass before svgo sees the
 * text. svgo's inlineStyles matches every selector against every element with css-select, and a
 * descendant combinator backtracks over the ancestors: a selector with k combinators costs about
 * C(depth, k) ancestor tests per element. Issue 9 finding 1: `x g g g rect` over 300 nested `<g>`
 * (2 KB) took 10 s; depth 2000 and a longer selector ran for 10+ minutes. Real editor exports
 * nest a dozen levels and use class selectors with at most a couple of combinators.
 */
import { SaxesParser } from 'saxes'
import { DomainError } from '../../core/errors.js'
import { splitRules } from './plugins/style-sheet.js'

/** Deepest element nesting converted; Illustrator, Inkscape, Figma and Sketch exports stay < 20. */
export const MAX_CONVERT_DEPTH = 64
/** Most elements converted: a 32 KiB logo holds at most a few thousand. */
export const MAX_CONVERT_ELEMENTS = 10_000
/**
 * Most selector-matching steps estimated for the `<style>` rules: Σ over selectors and elements
 * of C(ancestors, combinators). 5·10⁶ steps take ~50 ms in svgo (measured on Node 20); an
 * Illustrator export with 30 class rules over 2,000 elements needs 6·10⁴.
 */
export const MAX_SELECTOR_WORK = 5_000_000
/** Most rules (after splitting selector lists) in the `<style>` elements together. */
export const MAX_STYLE_SELECTORS = 2_000

const refuse = (message: string): never => {
  throw new DomainError('VALIDATION', message)
}

interface Shape {
  /** depths[d] = number of elements with d ancestors. */
  depths: number[]
  elements: number
  css: string[]
}

/** One pass over the XML: element count, depth histogram and `<style>` text. */
function shapeOf(text: string): Shape {
  const shape: Shape = { depths: [], elements: 0, css: [] }
  const parser = new SaxesParser({ xmlns: false, position: false })
  let depth = 0
  let style: string[] | null = null
  let styleAt = -1
  parser.on('opentag', (tag) => {
    shape.elements++
    if (shape.elements > MAX_CONVERT_ELEMENTS) {
      refuse(
        `the SVG has over ${MAX_CONVERT_ELEMENTS} elements; conversion takes at most that many`,
      )
    }
    if (depth >= MAX_CONVERT_DEPTH) {
      refuse(
        `the SVG nests elements over ${MAX_CONVERT_DEPTH} deep; conversion takes at most ${MAX_CONVERT_DEPTH} levels`,
      )
    }
    shape.depths[depth] = (shape.depths[depth] ?? 0) + 1
    if (!style && !tag.isSelfClosing && (tag.name === 'style' || tag.name.endsWith(':style'))) {
      style = []
      styleAt = depth
    }
    if (!tag.isSelfClosing) depth++
  })
  parser.on('closetag', (tag) => {
    if (tag.isSelfClosing) return
    depth--
    if (style && depth === styleAt) {
      shape.css.push(style.join(''))
      style = null
    }
  })
  const text_ = (t: string) => style?.push(t)
  parser.on('text', text_)
  parser.on('cdata', text_)
  parser.on('error', (err) => {
    refuse(`the SVG is not well-formed XML: ${err.message.replace(/\.$/, '')}`)
  })
  parser.write(text).close()
  return shape
}

/** `n choose k` as a float; only ever compared with a bound. */
function choose(n: number, k: number): number {
  if (k > n) return 0
  let c = 1
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i
  return c
}

/** Selectors of a stylesheet; `@media` and other block at-rules are opened. */
function selectorsOf(css: string): string[] {
  const out: string[] = []
  for (const rule of splitRules(css)) {
    if (rule.prelude.startsWith('@')) {
      if (rule.body.includes('{')) out.push(...selectorsOf(rule.body))
      continue
    }
    out.push(...splitTopLevel(rule.prelude))
  }
  return out
}

/** Splits a selector list at commas outside parentheses and brackets. */
function splitTopLevel(prelude: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < prelude.length; i++) {
    const ch = prelude[i]
    if (ch === '(' || ch === '[') depth++
    else if ((ch === ')' || ch === ']') && depth > 0) depth--
    else if (ch === ',' && depth === 0) {
      parts.push(prelude.slice(start, i))
      start = i + 1
    }
  }
  parts.push(prelude.slice(start))
  return parts.map((p) => p.trim()).filter(Boolean)
}

/**
 * Combinators in a selector, nested ones (`:not(a b)`, `:is(…)`) included: an over-count is
 * safe (the bound is on work), an under-count is not.
 */
export function combinatorsOf(selector: string): number {
  const bare = selector
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\s*([>+~,])\s*/g, '$1')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .trim()
  return (bare.match(/[\s>+~]+/g) ?? []).length
}

/**
 * Refuses (DomainError VALIDATION, naming the bound) input that would make svgo's work grow
 * faster than its size: nesting past MAX_CONVERT_DEPTH, more than MAX_CONVERT_ELEMENTS, `:has()`,
 * or style rules whose estimated matching work passes MAX_SELECTOR_WORK.
 */
export function checkConvertBounds(text: string): void {
  const shape = shapeOf(text)
  if (shape.css.length === 0) return
  const selectors = shape.css.flatMap(selectorsOf)
  if (selectors.length > MAX_STYLE_SELECTORS) {
    refuse(
      `the <style> has ${selectors.length} selectors; conversion takes at most ${MAX_STYLE_SELECTORS}`,
    )
  }
  let work = 0
  for (const selector of selectors) {
    if (/:has\s*\(/i.test(selector)) {
      refuse(`the <style> selector "${selector.slice(0, 60)}" uses :has(), which is not converted`)
    }
    const k = combinatorsOf(selector)
    // Each element costs at least one test, more when ancestors can take the compounds.
    shape.depths.forEach((count, ancestors) => {
      work += count * Math.max(1, choose(ancestors, k))
    })
    if (work > MAX_SELECTOR_WORK) {
      refuse(
        `the <style> selectors are too complex for this nesting (selector "${selector.slice(0, 60)}" has ${k} combinators over elements up to ${shape.depths.length} deep); conversion takes at most ${MAX_SELECTOR_WORK} selector-matching steps`,
      )
    }
  }
}
