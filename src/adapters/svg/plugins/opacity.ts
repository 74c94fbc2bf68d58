/**
 * `opacity` is outside the profile (D.2: "use fill-opacity/stroke-opacity"). It composites the
 * element as a whole, so it equals fill-opacity (or stroke-opacity) only when a single shape is
 * painted by fill alone (or stroke alone): a fill region is painted once, however the path
 * overlaps itself. Groups qualify when they draw exactly one such shape. Everything else (fill
 * and stroke, several shapes, text, `use`) keeps its opacity and the verdict reports it.
 */
import type { XastElement, XastParent } from 'svgo'
import { SHAPES } from './profile.js'
import { inherited, isElement, num } from './xast.js'

const NOT_DRAWN = new Set(['title', 'desc', 'metadata', 'defs', 'linearGradient', 'radialGradient'])

/** The one shape a group draws (through nested single-child groups), if it draws exactly one. */
function soleShape(el: XastElement): XastElement | undefined {
  if (SHAPES.has(el.name)) return el
  if (el.name !== 'g') return undefined
  const drawn = el.children.filter((c) => isElement(c) && !NOT_DRAWN.has(c.name))
  const only = drawn[0]
  return drawn.length === 1 && only?.type === 'element' ? soleShape(only) : undefined
}

export function parseOpacity(v: string | undefined): number | undefined {
  if (v === undefined) return 1
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(%?)\s*$/i.exec(v)
  if (!m) return undefined
  const n = Number(m[1]) / (m[2] === '%' ? 100 : 1)
  return Math.min(1, Math.max(0, n))
}

export interface Folded {
  target: XastElement
  attr: 'fill-opacity' | 'stroke-opacity'
  value: string
  why: string
}

/**
 * Moves `el`'s opacity into fill-opacity or stroke-opacity of the shape it draws when that is
 * the same picture; returns what it did, `null` when nothing is painted, undefined when kept.
 */
export function foldOpacity(
  el: XastElement,
  parents: Map<XastElement, XastParent>,
): Folded | null | undefined {
  const o = parseOpacity(el.attributes.opacity)
  const shape = soleShape(el)
  if (o === undefined || shape === undefined) return undefined
  const has = (k: string) => inherited(shape, k, parents)
  if (['marker-start', 'marker-mid', 'marker-end'].some((k) => (has(k) ?? 'none') !== 'none')) {
    return undefined
  }
  const fill = shape.name !== 'line' && (has('fill') ?? 'black') !== 'none'
  const width = Number.parseFloat(has('stroke-width') ?? '1')
  const stroke = (has('stroke') ?? 'none') !== 'none' && width !== 0
  if (fill && stroke) return undefined
  delete el.attributes.opacity
  if (!fill && !stroke) return null
  const attr = fill ? 'fill-opacity' : 'stroke-opacity'
  const current = parseOpacity(has(attr))
  if (current === undefined) {
    el.attributes.opacity = String(o)
    return undefined
  }
  const value = num(current * o)
  shape.attributes[attr] = value
  const why = fill ? 'the shape has no stroke' : 'the shape has no fill'
  return { target: shape, attr, value, why }
}
