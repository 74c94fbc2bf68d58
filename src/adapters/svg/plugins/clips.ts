/**
 * Figma and Illustrator clip the artwork to the artboard: `clip-path` naming a `<clipPath>` that
 * holds one rectangle covering the whole viewBox (Illustrator reaches it through a `<use>`).
 * `clipPath` is outside the profile (D.2). When the viewport has the viewBox's aspect, the root
 * already clips to exactly that rectangle, so such a clip removes nothing from the picture.
 * Every other clip is kept for the verdict to report.
 */
import type { CustomPlugin, XastElement, XastParent } from 'svgo'
import {
  detach,
  elementPaths,
  elements,
  isElement,
  referencedIds,
  rootSvg,
  tag,
  viewBoxOf,
  viewportFits,
  type Box,
  type ChangeLog,
} from './xast.js'

const CLIP_REF = /^\s*url\(\s*['"]?#([^'")\s]+)['"]?\s*\)\s*$/

/** A length in user units; percentages of the viewBox, as for a rect in root user space. */
function length(v: string | undefined, of: number, fallback: number | undefined) {
  if (v === undefined) return fallback
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(px|%)?\s*$/i.exec(v)
  if (!m) return undefined
  return m[2] === '%' ? (Number(m[1]) * of) / 100 : Number(m[1])
}

function coversCanvas(rect: XastElement, vb: Box): boolean {
  const a = rect.attributes
  if (a.transform !== undefined || Number(a.rx ?? 0) > 0 || Number(a.ry ?? 0) > 0) return false
  const [x, y] = [length(a.x, vb.w, 0), length(a.y, vb.h, 0)]
  const [w, h] = [length(a.width, vb.w, undefined), length(a.height, vb.h, undefined)]
  if (x === undefined || y === undefined || w === undefined || h === undefined) return false
  const eps = 1e-6 * Math.max(vb.w, vb.h)
  return (
    x <= vb.x + eps && y <= vb.y + eps && x + w >= vb.x + vb.w - eps && y + h >= vb.y + vb.h - eps
  )
}

/** The one rectangle a clip path consists of, through a plain `<use>` if need be. */
function soleRect(cp: XastElement, byId: Map<string, XastElement>): XastElement | undefined {
  const a = cp.attributes
  if (a.transform !== undefined || (a.clipPathUnits ?? 'userSpaceOnUse') !== 'userSpaceOnUse') {
    return undefined
  }
  if (a['clip-path'] !== undefined) return undefined
  const kids = cp.children.filter(isElement)
  const only = kids[0]
  if (kids.length !== 1 || only === undefined || only.attributes['clip-path'] !== undefined) return
  if (only.name === 'rect') return only
  if (only.name !== 'use' || ['x', 'y', 'transform'].some((k) => k in only.attributes)) return
  const href = only.attributes.href ?? only.attributes['xlink:href'] ?? ''
  const target = href.startsWith('#') ? byId.get(href.slice(1)) : undefined
  return target?.name === 'rect' ? target : undefined
}

/** Drops clips to the whole canvas; every change is appended to `log.changes`. */
export function tinyPsCanvasClips(log: ChangeLog): CustomPlugin {
  return {
    name: 'tinyPsCanvasClips',
    fn: (root) => {
      const svg = rootSvg(root)
      const vb = svg && viewBoxOf(svg)
      // With another viewport aspect the viewBox is letterboxed and content beyond it shows.
      if (svg === undefined || vb === undefined || !viewportFits(svg, vb)) return null
      const paths = elementPaths(root)
      const all = [...elements(root)]
      const parents = new Map<XastElement, XastParent>(all)
      const byId = new Map(all.map(([el]) => [el.attributes.id ?? '', el]))
      const cleared = new Set<XastElement>()
      for (const [el] of all) {
        const id = CLIP_REF.exec(el.attributes['clip-path'] ?? '')?.[1]
        const cp = id === undefined ? undefined : byId.get(id)
        if (cp?.name !== 'clipPath') continue
        const rect = soleRect(cp, byId)
        // The clip is in the user space of the element, its own transform included.
        let moved = false
        for (let e: XastParent | undefined = el; e?.type === 'element'; e = parents.get(e)) {
          moved ||= e.attributes.transform !== undefined
        }
        if (rect === undefined || moved || !coversCanvas(rect, vb)) continue
        delete el.attributes['clip-path']
        cleared.add(cp)
        log.changes.push(
          `removed clip-path="url(#${id})" from ${paths.get(el)}: it clips to the whole canvas, which the viewBox already does (picture unchanged)`,
        )
      }
      const refs = referencedIds(root)
      for (const [el, parent] of all) {
        if (!cleared.has(el) || refs.has(el.attributes.id ?? '')) continue
        detach(parent, el)
        log.changes.push(`removed ${tag(el)} at ${paths.get(el)} (no longer used)`)
      }
      return null
    },
  }
}
