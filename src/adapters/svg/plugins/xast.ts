/**
 * Small helpers over svgo's tree (xast) shared by the Tiny PS plugins: element paths for the
 * change lines, reference collection, and tree surgery that keeps svgo's visitor safe.
 */
import type { XastChild, XastElement, XastParent, XastRoot } from 'svgo'

export const SVG_NS = 'http://www.w3.org/2000/svg'

/** Where the plugins write their change lines, in the order the changes are made. */
export interface ChangeLog {
  changes: string[]
}

export const isElement = (n: XastChild): n is XastElement => n.type === 'element'

/** Every element below `parent` in document order, with its parent. */
export function* elements(parent: XastParent): Generator<[XastElement, XastParent]> {
  for (const child of parent.children) {
    if (!isElement(child)) continue
    yield [child, parent]
    yield* elements(child)
  }
}

/** The outermost `<svg>` element, if the document has one. */
export const rootSvg = (root: XastRoot): XastElement | undefined =>
  root.children.find((c): c is XastElement => isElement(c) && c.name === 'svg')

/**
 * XPath-like paths (`/svg/g[2]/path`) for every element, computed before a plugin edits the tree
 * so that a change line names the element as it was in that plugin's input. Positions count
 * same-named siblings and are written only when the name repeats.
 */
export function elementPaths(root: XastRoot): Map<XastElement, string> {
  const paths = new Map<XastElement, string>()
  const visit = (parent: XastParent, prefix: string) => {
    const kids = parent.children.filter(isElement)
    const counts = new Map<string, number>()
    for (const k of kids) counts.set(k.name, (counts.get(k.name) ?? 0) + 1)
    const seen = new Map<string, number>()
    for (const k of kids) {
      const n = (seen.get(k.name) ?? 0) + 1
      seen.set(k.name, n)
      const path = `${prefix}/${k.name}${(counts.get(k.name) ?? 0) > 1 ? `[${n}]` : ''}`
      paths.set(k, path)
      visit(k, path)
    }
  }
  visit(root, '')
  return paths
}

/** Parents of every element, for inherited-value lookups. */
export function parentMap(root: XastRoot): Map<XastElement, XastParent> {
  return new Map([...elements(root)])
}

const URL_REF = /url\(\s*['"]?#([^'")\s]+)['"]?\s*\)/g

/** Ids referenced by `url(#id)` anywhere or by a local `href`/`xlink:href`, including CSS text. */
export function referencedIds(root: XastRoot): Set<string> {
  const ids = new Set<string>()
  for (const [el] of elements(root)) {
    for (const [name, value] of Object.entries(el.attributes)) {
      for (const m of value.matchAll(URL_REF)) ids.add(m[1] as string)
      if ((name === 'href' || name === 'xlink:href') && value.startsWith('#')) {
        ids.add(value.slice(1))
      }
    }
    if (el.name === 'style') for (const m of textOf(el).matchAll(URL_REF)) ids.add(m[1] as string)
  }
  return ids
}

/** The character data of an element (text and CDATA children). */
export const textOf = (el: XastElement): string =>
  el.children.map((c) => (c.type === 'text' || c.type === 'cdata' ? c.value : '')).join('')

/** Replaces `node` by `replacement` in its parent, with a new array so open loops stay valid. */
export function replaceNode(parent: XastParent, node: XastChild, replacement: XastChild[]): void {
  const i = parent.children.indexOf(node)
  if (i < 0) return
  parent.children = [
    ...parent.children.slice(0, i),
    ...replacement,
    ...parent.children.slice(i + 1),
  ]
}

export const detach = (parent: XastParent, node: XastChild) => replaceNode(parent, node, [])

/** `<g id="logo">`: the element as a reader would recognise it in a change line. */
export function tag(el: XastElement): string {
  const id = el.attributes.id
  return id === undefined ? `<${el.name}>` : `<${el.name} id="${id}">`
}

/** `a="1", b="2"` for a change line; long values shortened. */
export function listAttrs(attrs: Record<string, string>, names: Iterable<string>): string {
  return [...names].map((n) => `${n}="${clip(attrs[n] ?? '')}"`).join(', ')
}

/** Shortens text quoted in a change line so a 20 KiB path never floods the list. */
export function clip(s: string, max = 60): string {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/**
 * The value of an inherited presentation attribute as seen by `el`: its own, else the nearest
 * ancestor's (styles are already attributes when the Tiny PS plugins run).
 */
export function inherited(
  el: XastElement,
  name: string,
  parents: Map<XastElement, XastParent>,
): string | undefined {
  for (let cur: XastParent | undefined = el; cur?.type === 'element'; cur = parents.get(cur)) {
    const v = cur.attributes[name]
    if (v !== undefined && v !== 'inherit') return v.trim()
  }
  return undefined
}

/** Formats a computed number for an attribute: 6 significant digits are ample for a logo. */
export function num(n: number): string {
  const r = Number(n.toPrecision(6))
  return Object.is(r, -0) ? '0' : String(r)
}

// CSS Values §6.2 absolute units in px, the user unit of an SVG without a viewBox.
const UNITS: Record<string, number> = {
  '': 1,
  px: 1,
  pt: 4 / 3,
  pc: 16,
  mm: 96 / 25.4,
  cm: 96 / 2.54,
  in: 96,
}

/** An absolute length in user units; undefined for percentages, em and the like. */
export function userUnits(v: string | undefined): number | undefined {
  const m = /^\s*((?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([a-z]*)\s*$/i.exec(v ?? '')
  const factor = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined
  return m && factor !== undefined ? Number(m[1]) * factor : undefined
}

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

/** The root's viewBox when it is four numbers with a positive size. */
export function viewBoxOf(svg: XastElement): Box | undefined {
  const n = (svg.attributes.viewBox ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number)
  const [x = NaN, y = NaN, w = NaN, h = NaN] = n
  if (n.length !== 4 || ![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) return
  return { x, y, w, h }
}

// Editors round page sizes (Inkscape: 135.46666 × 135.46667). A 1e-4 relative difference
// letterboxes a 1024 px rendering by a tenth of a pixel, which nobody can see.
const ASPECT_TOLERANCE = 1e-4

/**
 * Whether the viewport shows exactly the viewBox, no letterbox: same aspect, or no size given
 * and a square viewBox (receivers show logos in a square).
 */
export function viewportFits(svg: XastElement, vb: Box): boolean {
  const { width, height } = svg.attributes
  const ratio =
    width === undefined && height === undefined
      ? 1
      : (userUnits(width) ?? NaN) / (userUnits(height) ?? NaN)
  return Math.abs(ratio / (vb.w / vb.h) - 1) < ASPECT_TOLERANCE
}
