import { svgIssue } from './svg-issues.js'
import { fragmentId } from './svg-rules-references.js'
import { attrValue, elementPath, isSvgElement, svgChildren } from './svg-tree.js'
import type { SvgDocument, SvgElement } from './svg-tree.js'
import type { SvgIssue } from './types.js'

// SVG Tiny 1.2 recognises only the 16 HTML colour keywords; other names are counted as written.
const KEYWORDS: Readonly<Record<string, string>> = {
  black: '#000000',
  silver: '#c0c0c0',
  gray: '#808080',
  white: '#ffffff',
  maroon: '#800000',
  red: '#ff0000',
  purple: '#800080',
  fuchsia: '#ff00ff',
  green: '#008000',
  lime: '#00ff00',
  olive: '#808000',
  yellow: '#ffff00',
  navy: '#000080',
  blue: '#0000ff',
  teal: '#008080',
  aqua: '#00ffff',
}

/** Normalises a colour to `#rrggbb` where it can; null for none, transparent or no colour. */
export function normalizeColor(value: string): string | null {
  const v = value.trim().toLowerCase()
  if (v === '' || v === 'none' || v === 'transparent' || v === 'inherit') return null
  if (/^#[0-9a-f]{3}$/.test(v)) return '#' + [...v.slice(1)].map((c) => c + c).join('')
  if (/^#[0-9a-f]{6}$/.test(v)) return v
  const rgb = /^rgb\(\s*([^,\s]+)\s*,?\s*([^,\s]+)\s*,?\s*([^,\s)]+)\s*\)$/.exec(v)
  if (rgb) {
    const channel = (c: string): string => {
      const n = c.endsWith('%') ? (parseFloat(c) * 255) / 100 : parseFloat(c)
      const clamped = Math.max(0, Math.min(255, Math.round(Number.isFinite(n) ? n : 0)))
      return clamped.toString(16).padStart(2, '0')
    }
    return '#' + [rgb[1], rgb[2], rgb[3]].map((c) => channel(c as string)).join('')
  }
  return KEYWORDS[v] ?? v
}

interface Paint {
  fill: string
  stroke: string
  color: string
  fillOpacity: number
  strokeOpacity: number
  strokeWidth: number
}

const INITIAL: Paint = {
  fill: 'black',
  stroke: 'none',
  color: 'black',
  fillOpacity: 1,
  strokeOpacity: 1,
  strokeWidth: 1,
}

const SHAPES = new Set([
  'path',
  'rect',
  'circle',
  'ellipse',
  'polygon',
  'polyline',
  'text',
  'textArea',
])
// A `use` chain may nest; real logos go one or two deep, and the visit budget bounds a hostile
// fan-out (each use rendering groups of uses) to a fixed amount of work.
const MAX_USE_DEPTH = 8
const VISIT_BUDGET = 20_000
// Renderers draw the content of `a` and `switch`, a `symbol` reached through `use`, and follow
// `xlink:href`; counting them keeps this message true when those are reported as errors.
const CONTAINERS = new Set(['svg', 'g', 'a', 'switch'])

interface Frame {
  el: SvgElement
  parent: Paint
  uses: number
  viaUse: boolean
}

// Fill and stroke of each drawn shape after inheritance (default fill black); gradient stops and
// solidColor for `url(#id)` paint; `none`, `transparent` and zero opacity skipped. `defs` content
// counts only when a `use` draws it. An explicit stack, so deep nesting is harmless.
/** The distinct colours the logo paints when rendered, stopping once `limit` are found. */
export function renderedColors(doc: SvgDocument, limit = Infinity): string[] {
  const found = new Set<string>()
  const addColor = (c: string): void => {
    const n = normalizeColor(c)
    if (n !== null) found.add(n)
  }
  const add = (paint: string, opacity: number, ctx: Paint): void => {
    if (opacity <= 0) return
    const p = paint.trim()
    if (/^currentcolor$/i.test(p)) return addColor(ctx.color)
    const url = /^url\(\s*['"]?([^'")]*)['"]?\s*\)\s*(.*)$/i.exec(p)
    if (!url) return addColor(p)
    const server = doc.ids.get(fragmentId((url[1] ?? '').trim()) ?? '')
    if (server) serverColors(server).forEach(addColor)
    else if (url[2]) addColor(url[2])
  }
  const stack: Frame[] = [{ el: doc.root, parent: INITIAL, uses: 0, viaUse: false }]
  for (let budget = VISIT_BUDGET; stack.length > 0 && found.size < limit && budget > 0; budget--) {
    const { el, parent, uses, viaUse } = stack.pop() as Frame
    if (!isSvgElement(el)) continue
    const ctx = inherit(el, parent)
    if (SHAPES.has(el.local)) {
      add(ctx.fill, ctx.fillOpacity, ctx)
      if (ctx.strokeWidth > 0) add(ctx.stroke, ctx.strokeOpacity, ctx)
    } else if (el.local === 'line') {
      if (ctx.strokeWidth > 0) add(ctx.stroke, ctx.strokeOpacity, ctx)
    } else if (el.local === 'use') {
      const href = el.attributes.find((a) => a.local === 'href')?.value ?? ''
      const target = doc.ids.get(fragmentId(href.trim()) ?? '')
      if (target && uses < MAX_USE_DEPTH) {
        stack.push({ el: target, parent: ctx, uses: uses + 1, viaUse: true })
      }
    } else if (CONTAINERS.has(el.local) || (viaUse && el.local === 'symbol')) {
      for (const child of el.children) stack.push({ el: child, parent: ctx, uses, viaUse: false })
    }
  }
  return [...found]
}

function inherit(el: SvgElement, parent: Paint): Paint {
  const get = (name: string): string | undefined => {
    const v = attrValue(el, name)
    return v === undefined || v.trim() === 'inherit' ? undefined : v
  }
  const num = (name: string, fallback: number): number => {
    const n = parseFloat(get(name) ?? '')
    return Number.isFinite(n) ? n : fallback
  }
  return {
    fill: get('fill') ?? parent.fill,
    stroke: get('stroke') ?? parent.stroke,
    color: get('color') ?? parent.color,
    fillOpacity: num('fill-opacity', parent.fillOpacity),
    strokeOpacity: num('stroke-opacity', parent.strokeOpacity),
    strokeWidth: num('stroke-width', parent.strokeWidth),
  }
}

// Colours a paint server contributes: gradient stops (stop-color defaults to black) or the
// solid-color of a solidColor.
function serverColors(server: SvgElement): string[] {
  if (isSvgElement(server, 'solidColor')) {
    const opacity = parseFloat(attrValue(server, 'solid-opacity') ?? '1')
    return opacity === 0 ? [] : [attrValue(server, 'solid-color') ?? 'black']
  }
  if (!isSvgElement(server, 'linearGradient') && !isSvgElement(server, 'radialGradient')) return []
  return svgChildren(server)
    .filter((s) => s.local === 'stop' && parseFloat(attrValue(s, 'stop-opacity') ?? '1') !== 0)
    .map((s) => {
      const own = attrValue(s, 'stop-color')
      const c =
        own === undefined || own.trim() === 'inherit' ? attrValue(server, 'stop-color') : own
      return /^currentcolor$/i.test(c?.trim() ?? '')
        ? (attrValue(s, 'color') ?? 'black')
        : (c ?? 'black')
    })
}

/** SVG-PS §2.4 (as quoted): "MUST include at least two colors when rendered". */
export function checkColorCount(doc: SvgDocument): SvgIssue[] {
  const colors = renderedColors(doc, 2)
  if (colors.length >= 2) return []
  const what = colors.length === 0 ? 'no colour' : `one colour (${colors[0]})`
  const message = `the logo renders ${what}; SVG Tiny PS requires at least two colours`
  return [svgIssue('color-count', elementPath(doc.root), message)]
}
