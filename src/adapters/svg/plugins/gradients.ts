/**
 * Tiny PS gradients have no `href`, `gradientTransform`, `spreadMethod`, `fx`/`fy` (D.3 content
 * models). Editors use all of them: Inkscape keeps stops in one gradient and coordinates in
 * another that links to it. This plugin rewrites them into the same picture without those
 * attributes where that is exact, and leaves the rest for the verdict to report.
 */
import type { CustomPlugin, XastElement } from 'svgo'
import { apply, det, isSimilarity, parseTransform, type Matrix } from './matrix.js'
import {
  detach,
  elementPaths,
  elements,
  isElement,
  num,
  referencedIds,
  tag,
  type ChangeLog,
} from './xast.js'

const GRADIENTS = new Set(['linearGradient', 'radialGradient'])
const SHARED = ['gradientUnits', 'gradientTransform', 'spreadMethod']
const OWN: Record<string, string[]> = {
  linearGradient: ['x1', 'y1', 'x2', 'y2'],
  radialGradient: ['cx', 'cy', 'r', 'fx', 'fy', 'fr'],
}
// SVG 1.1 §13.2.2/§13.2.3 initial values, in bounding-box fractions.
const DEFAULTS: Record<string, number> = { x1: 0, y1: 0, x2: 1, y2: 0, cx: 0.5, cy: 0.5, r: 0.5 }

const hrefOf = (g: XastElement) => g.attributes.href ?? g.attributes['xlink:href']

type Resolved = (g: XastElement, base: XastElement, copied: string[]) => void

/** Copies what `g` inherits through its `href` chain, deepest link first. */
function inherit(g: XastElement, byId: Map<string, XastElement>, done: Resolved, seen = new Set()) {
  const href = hrefOf(g)
  const base = href?.startsWith('#') ? byId.get(href.slice(1)) : undefined
  if (base === undefined || seen.has(g)) return
  seen.add(g)
  inherit(base, byId, done, seen)
  const copied: string[] = []
  for (const a of [...SHARED, ...(base.name === g.name ? (OWN[g.name] ?? []) : [])]) {
    const v = base.attributes[a]
    if (v !== undefined && g.attributes[a] === undefined) {
      g.attributes[a] = v
      copied.push(a)
    }
  }
  if (!g.children.some((c) => isElement(c) && c.name === 'stop')) {
    const stops = base.children.filter((c) => isElement(c) && c.name === 'stop')
    g.children = structuredClone(stops)
    if (stops.length > 0) copied.push(`${stops.length} stops`)
  }
  delete g.attributes.href
  delete g.attributes['xlink:href']
  done(g, base, copied)
}

/** A coordinate as a number in the gradient's units, or undefined when it needs a viewport. */
function coord(g: XastElement, name: string, bbox: boolean): number | undefined {
  const raw = g.attributes[name]?.trim()
  if (raw === undefined) return bbox ? DEFAULTS[name] : undefined
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(%|px)?$/i.exec(raw)
  if (!m) return undefined
  const n = Number(m[1])
  if (m[2] === '%') return bbox ? n / 100 : undefined
  return n
}

/** New coordinates equal to `m` applied to the gradient; undefined when not expressible. */
function folded(g: XastElement, m: Matrix): Record<string, number> | undefined {
  const bbox = g.attributes.gradientUnits !== 'userSpaceOnUse'
  const D = det(m)
  if (Math.abs(D) < 1e-12) return undefined
  if (g.name === 'linearGradient') {
    const [x1, y1, x2, y2] = OWN.linearGradient!.map((a) => coord(g, a, bbox))
    if (x1 === undefined || y1 === undefined || x2 === undefined || y2 === undefined) return
    const [vx, vy, L] = [x2 - x1, y2 - y1, (x2 - x1) ** 2 + (y2 - y1) ** 2]
    if (L === 0) return undefined
    // Colour is t(q) = (M⁻¹q − p1)·v / |v|²: affine in q with gradient w = M⁻ᵀv / |v|². The
    // untransformed gradient from M·p1 along w/|w|² has the same t everywhere.
    const [a, b, c, d] = m
    const [wx, wy] = [(d * vx - b * vy) / (D * L), (-c * vx + a * vy) / (D * L)]
    const W = wx * wx + wy * wy
    const [p1x, p1y] = apply(m, x1, y1)
    return { x1: p1x, y1: p1y, x2: p1x + wx / W, y2: p1y + wy / W }
  }
  const [cx, cy, r] = ['cx', 'cy', 'r'].map((a) => coord(g, a, bbox))
  if (cx === undefined || cy === undefined || r === undefined || !isSimilarity(m)) return
  const [ncx, ncy] = apply(m, cx, cy)
  return { cx: ncx, cy: ncy, r: r * Math.sqrt(Math.abs(D)) }
}

/** The Tiny PS gradient plugin; every change is appended to `log.changes`. */
export function tinyPsGradients(log: ChangeLog): CustomPlugin {
  return {
    name: 'tinyPsGradients',
    fn: (root) => {
      const paths = elementPaths(root)
      const at = (g: XastElement) => `${tag(g)} at ${paths.get(g) ?? '?'}`
      const gradients = [...elements(root)].map(([el]) => el).filter((e) => GRADIENTS.has(e.name))
      const byId = new Map(gradients.map((g) => [g.attributes.id ?? '', g]))
      const templates = new Set<XastElement>()
      const resolved: Resolved = (g, base, copied) => {
        templates.add(base)
        const what = copied.length > 0 ? `copied ${copied.join(', ')}` : 'nothing to copy'
        log.changes.push(
          `resolved the link from ${at(g)} to #${base.attributes.id}: ${what} (picture unchanged)`,
        )
      }
      for (const g of gradients) inherit(g, byId, resolved)
      for (const g of gradients) simplify(g, at(g), log)
      const refs = referencedIds(root)
      for (const [el, parent] of [...elements(root)]) {
        if (!templates.has(el) || refs.has(el.attributes.id ?? '')) continue
        detach(parent, el)
        log.changes.push(`removed ${at(el)}: only a template, now copied where used`)
      }
      return null
    },
  }
}

function simplify(g: XastElement, where: string, log: ChangeLog): void {
  const a = g.attributes
  const say = (line: string) => log.changes.push(`${line} on ${where} (picture unchanged)`)
  const radial = g.name === 'radialGradient'
  for (const [f, c] of [
    ['fx', 'cx'],
    ['fy', 'cy'],
  ] as const) {
    const v = a[f]
    if (radial && v !== undefined && (v === a[c] || (a[c] === undefined && v === '50%'))) {
      delete a[f]
      say(`removed ${f}="${v}" (equal to ${c}, its default)`)
    }
  }
  if (radial && (a.fr === '0' || a.fr === '0%')) {
    delete a.fr
    say('removed fr="0" (the default)')
  }
  if (a.spreadMethod?.trim() === 'pad') {
    delete a.spreadMethod
    say('removed spreadMethod="pad" (the default)')
  }
  // A focal point or radius would need transforming too; such gradients are left to the verdict.
  const focal = radial && ['fx', 'fy', 'fr'].some((k) => a[k] !== undefined)
  if (a.gradientTransform !== undefined && !focal) {
    const m = parseTransform(a.gradientTransform)
    const coords = m && folded(g, m)
    if (coords) {
      say(`folded gradientTransform="${a.gradientTransform}" into the coordinates`)
      delete a.gradientTransform
      for (const [k, v] of Object.entries(coords)) a[k] = num(v)
    }
  }
}
