import { svgIssue } from './svg-issues.js'
import { normalizeColor } from './svg-colors.js'
import { boundsOf, parseLength, parseNumbers, straightPathBounds } from './svg-geometry.js'
import type { Box } from './svg-geometry.js'
import { fragmentId } from './svg-rules-references.js'
import { rootGeometry } from './svg-rules-visual.js'
import { attrValue, elementPath, isSvgElement } from './svg-tree.js'
import type { SvgDocument, SvgElement } from './svg-tree.js'
import type { SvgIssue } from './types.js'

const DRAWN = new Set(['path', 'rect', 'circle', 'ellipse', 'polygon', 'polyline', 'line', 'text'])
// Shapes within half a user unit of the edge still read as a full background.
const EDGE = 0.5

// Enough to pass the wrappers and uses real logos put before their background.
const MAX_VISITS = 10_000

// `transformed` says a transform sits on the way, which makes the shape's bounds unknown here.
/** The first shape the renderer paints (through `g` and `use`, skipping `defs`), or null. */
export function firstDrawnShape(doc: SvgDocument): { el: SvgElement; transformed: boolean } | null {
  const stack: { el: SvgElement; transformed: boolean }[] = [{ el: doc.root, transformed: false }]
  for (let visits = 0; stack.length > 0 && visits < MAX_VISITS; visits++) {
    const { el, transformed } = stack.pop() as { el: SvgElement; transformed: boolean }
    if (!isSvgElement(el)) continue
    const moved = transformed || attrValue(el, 'transform') !== undefined
    if (DRAWN.has(el.local) || el.local === 'textArea') return { el, transformed: moved }
    if (el.local === 'use') {
      const target = doc.ids.get(fragmentId(attrValue(el, 'href')?.trim() ?? '') ?? '')
      const shifted = attrValue(el, 'x') !== undefined || attrValue(el, 'y') !== undefined
      if (target) stack.push({ el: target, transformed: moved || shifted })
    } else if (el.local === 'svg' || el.local === 'g') {
      for (let i = el.children.length - 1; i >= 0; i--) {
        stack.push({ el: el.children[i] as SvgElement, transformed: moved })
      }
    }
  }
  return null
}

// Transparent areas take the mail client's colour (dark mode). Passes when the first painted
// shape is opaque and covers the whole image; a transform on the way gets the benefit of the doubt.
/** Gmail, BIMI guidance: warns unless the logo starts with a solid, full-size background. */
export function checkBackground(doc: SvgDocument): SvgIssue[] {
  const { area } = rootGeometry(doc)
  if (!area) return []
  const first = firstDrawnShape(doc)
  if (first?.transformed) return []
  if (first && isOpaque(first.el) && covers(first.el, area)) return []
  const where = first ? `the first shape, <${first.el.local}>,` : 'nothing'
  const message =
    `${where} does not paint an opaque background over the whole logo; ` +
    "transparent areas take the mail client's colour"
  return [svgIssue('background', first ? elementPath(first.el) : elementPath(doc.root), message)]
}

// The fill as it would be inherited, enough to tell "none"/transparent from an actual paint.
function isOpaque(el: SvgElement): boolean {
  let fill: string | undefined
  let opacity = 1
  for (let e: SvgElement | null = el; e; e = e.parent) {
    const f = attrValue(e, 'fill')
    if (fill === undefined && f !== undefined && f.trim() !== 'inherit') fill = f
    const o = parseFloat(attrValue(e, 'fill-opacity') ?? '')
    if (Number.isFinite(o)) opacity = Math.min(opacity, o)
  }
  if (opacity < 1) return false
  if (fill === undefined) return true
  return /^\s*url\(/i.test(fill) || normalizeColor(fill) !== null
}

function covers(el: SvgElement, area: Box): boolean {
  const box = shapeBox(el, area)
  if (!box) return false
  if (el.local === 'circle' || el.local === 'ellipse') {
    // Receivers crop logos to a circle, so a disc filling the inscribed circle is enough.
    const cx = area.x + area.width / 2
    const cy = area.y + area.height / 2
    const rx = box.width / 2
    const ry = box.height / 2
    const centred = Math.abs(box.x + rx - cx) <= EDGE && Math.abs(box.y + ry - cy) <= EDGE
    return centred && rx + EDGE >= area.width / 2 && ry + EDGE >= area.height / 2
  }
  return (
    box.x <= area.x + EDGE &&
    box.y <= area.y + EDGE &&
    box.x + box.width + EDGE >= area.x + area.width &&
    box.y + box.height + EDGE >= area.y + area.height
  )
}

function shapeBox(el: SvgElement, area: Box): Box | null {
  const len = (name: string, of: number, fallback: number | null): number | null => {
    const l = parseLength(attrValue(el, name))
    if (!l) return fallback
    return l.unit === '%' ? (l.value * of) / 100 : l.unit === '' || l.unit === 'px' ? l.value : null
  }
  switch (el.local) {
    case 'rect': {
      const [x, y] = [len('x', area.width, 0), len('y', area.height, 0)]
      const [w, h] = [len('width', area.width, null), len('height', area.height, null)]
      return x === null || y === null || w === null || h === null ? null : box(x, y, w, h)
    }
    case 'circle':
    case 'ellipse': {
      const [cx, cy] = [len('cx', area.width, 0), len('cy', area.height, 0)]
      const r = el.local === 'circle' ? len('r', area.width, null) : null
      const [rx, ry] = [r ?? len('rx', area.width, null), r ?? len('ry', area.height, null)]
      if (cx === null || cy === null || rx === null || ry === null) return null
      return box(cx - rx, cy - ry, 2 * rx, 2 * ry)
    }
    case 'path':
      return straightPathBounds(attrValue(el, 'd') ?? '')
    case 'polygon': {
      const n = parseNumbers(attrValue(el, 'points') ?? '')
      return boundsOf(
        n.filter((_, i) => i % 2 === 0),
        n.filter((_, i) => i % 2 === 1),
      )
    }
    default:
      return null
  }
}

const box = (x: number, y: number, width: number, height: number): Box => ({ x, y, width, height })
