/**
 * Drops or rewrites attributes the profile does not allow on the elements it does allow (specs
 * D.2/D.3): event handlers, `xlink:href` → `href`, leftover CSS, `opacity`, classes with no
 * stylesheet left, numeric font weights, editor data, initial values. What would change the
 * picture if dropped is kept for the verdict to report. Forbidden elements keep their attributes.
 */
import type { CustomPlugin, XastElement } from 'svgo'
import { inertness } from './inert.js'
import { foldOpacity, parseOpacity } from './opacity.js'
import { ALLOWED_ELEMENTS, attributeAllowed, CONSTRAINED } from './profile.js'
import {
  elementPaths,
  elements,
  inherited,
  listAttrs,
  parentMap,
  referencedIds,
  rootSvg,
  viewBoxOf,
  viewportFits,
  type ChangeLog,
} from './xast.js'

const NCNAME = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7]*$/u
// CSS Fonts §3.2: 400 is normal, 700 is bold; the profile takes only the keywords.
const WEIGHTS: Record<string, string> = { '400': 'normal', '700': 'bold' }
// Attributes that only define geometry on the elements that have them in the schema.
const GEOMETRY = /^(x|y|width|height|cx|cy|r|rx|ry|x1|y1|x2|y2|d|points)$/
const DECLARATION = /(?:[^;("']|\([^)]*\)|"[^"]*"|'[^']*')+/g
const PAR = /^\s*(none|xMidYMid)\s*(meet)?\s*$/

/** The Tiny PS attribute plugin; every change is appended to `log.changes`. */
export function tinyPsAttributes(log: ChangeLog): CustomPlugin {
  return {
    name: 'tinyPsAttributes',
    fn: (root) => {
      const paths = elementPaths(root)
      const parents = parentMap(root)
      const refs = referencedIds(root)
      const top = rootSvg(root)
      const byId = new Map([...elements(root)].map(([el]) => [el.attributes.id ?? '', el]))
      const say = (line: string) => log.changes.push(line)
      for (const [el] of [...elements(root)]) {
        const p = paths.get(el) ?? el.name
        const a = el.attributes
        // Handlers never draw anything, whatever element carries them.
        const handlers = Object.keys(a).filter((k) => /^on/i.test(k))
        for (const k of handlers) delete a[k]
        if (handlers.length > 0) {
          say(`removed event handlers ${handlers.join(', ')} from ${p} (no scripts; no effect)`)
        }
        if (!ALLOWED_ELEMENTS.has(el.name)) continue
        const inClipPath = [...ancestors(el, parents)].some((x) => x.name === 'clipPath')
        const stroke = inherited(el, 'stroke', parents) ?? 'none'
        const stroked = stroke !== 'none' && inherited(el, 'stroke-width', parents) !== '0'
        const up = parents.get(el)
        const shown = up?.type === 'element' ? inherited(up, 'visibility', parents) : undefined
        const underHidden = shown === 'hidden' || shown === 'collapse'
        const at = { hasTransform: a.transform !== undefined, inClipPath, stroked, underHidden }

        if (a.style !== undefined) {
          const kept: string[] = []
          const gone: string[] = []
          const moved: string[] = []
          for (const decl of a.style.match(DECLARATION) ?? []) {
            const [prop = '', ...rest] = decl.split(':')
            const [name, value] = [prop.trim().toLowerCase(), rest.join(':').trim()]
            if (name === '') continue
            const it = `${name}:${value}`
            // A style declaration beats the attribute of the same name, so it may overwrite it.
            if (attributeAllowed(el.name, name)) {
              moved.push(it)
              a[name] = value
            } else if (inertness(name, value, at)?.minor === false) gone.push(it)
            else kept.push(it)
          }
          if (kept.length > 0) a.style = kept.join(';')
          else delete a.style
          if (moved.length > 0)
            say(`moved ${moved.join('; ')} from the style of ${p} to attributes`)
          if (gone.length > 0) say(`removed from the style of ${p}: ${gone.join('; ')} (no effect)`)
        }

        const xhref = a['xlink:href']
        if (xhref?.startsWith('#') && el.name === 'use') {
          delete a['xlink:href']
          if (a.href === undefined) a.href = xhref
          say(`replaced xlink:href="${xhref}" with href on ${p} (Tiny PS uses plain href)`)
        }

        if (a.opacity !== undefined && parseOpacity(a.opacity) !== 1) {
          const was = a.opacity
          const f = foldOpacity(el, parents)
          if (f === null) say(`removed opacity="${was}" from ${p} (nothing under it is painted)`)
          else if (f) {
            const where = f.target === el ? '' : ` on ${paths.get(f.target)}`
            say(`replaced opacity="${was}" on ${p} with ${f.attr}="${f.value}"${where} (${f.why})`)
          }
        }

        const weight = WEIGHTS[a['font-weight']?.trim() ?? '']
        if (weight !== undefined) {
          say(`replaced font-weight="${a['font-weight']}" with "${weight}" on ${p} (same weight)`)
          a['font-weight'] = weight
        }

        if (a.id !== undefined && !NCNAME.test(a.id) && !refs.has(a.id)) {
          say(`removed id="${a.id}" from ${p} (not a valid XML name, and unreferenced)`)
          delete a.id
        }

        const inert: string[] = []
        const hints: string[] = []
        for (const [name, value] of Object.entries(a)) {
          if (name in CONSTRAINED) {
            inert.push(name)
            continue
          }
          if (name === 'preserveAspectRatio' && el === top && !PAR.test(value)) {
            const vb = viewBoxOf(el)
            // Same aspect on both sides: nothing to align or slice.
            if (vb && viewportFits(el, vb)) inert.push(name)
            continue
          }
          if (attributeAllowed(el.name, name) && name !== 'class') continue
          const prefix = name.includes(':') ? name.split(':')[0] : undefined
          // xlink:href stays: an external reference is for the verdict to report, not to hide.
          const foreign =
            prefix !== undefined && !['xml', 'xmlns'].includes(prefix) && name !== 'xlink:href'
          const moot =
            name === 'class' ||
            (name === 'transform' && ['defs', 'stop', 'solidColor'].includes(el.name)) ||
            (GEOMETRY.test(name) && !(el.name === 'use' && isViewport(byId, a.href)))
          const how = foreign || moot ? { minor: false } : inertness(name, value, at)
          if (how) (how.minor ? hints : inert).push(name)
        }
        const before = { ...a }
        for (const k of [...inert, ...hints]) delete a[k]
        if (inert.length > 0) say(`removed ${listAttrs(before, inert)} from ${p} (no effect)`)
        if (hints.length > 0) {
          say(
            `removed ${listAttrs(before, hints)} from ${p} (rendering hints; THE PICTURE MAY CHANGE slightly at edges)`,
          )
        }
      }
      return null
    },
  }
}

function* ancestors(el: XastElement, parents: Map<XastElement, unknown>) {
  for (let p = parents.get(el); isEl(p); p = parents.get(p)) yield p
}

const isEl = (x: unknown): x is XastElement =>
  typeof x === 'object' && x !== null && (x as { type?: string }).type === 'element'

/** `use` sizes matter only when it points at a `symbol` or nested `svg`. */
function isViewport(byId: Map<string, XastElement>, href: string | undefined): boolean {
  const target = href?.startsWith('#') ? byId.get(href.slice(1)) : undefined
  return target === undefined || target.name === 'symbol' || target.name === 'svg'
}
