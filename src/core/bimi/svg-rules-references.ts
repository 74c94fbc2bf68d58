import { shown, svgIssue } from './svg-issues.js'
import { elementPath, XML_NS } from './svg-tree.js'
import type { SvgDocument, SvgElement } from './svg-tree.js'
import type { SvgIssue } from './types.js'

// CSS `url(...)` with an optional quoted argument (the schema types paint as xsd:string); an
// unclosed `url(` runs to the end of the value, so it cannot hide an address.
const URL_FUNCTION = /url\(\s*(['"]?)(.*?)\1\s*(?:\)|$)/gi
const RASTER_DATA = /^data:image\/(?!svg)[a-z0-9.+-]+/i

/** A reference found in an attribute or style sheet: where it is and what it points to. */
export interface SvgReference {
  el: SvgElement
  /** The attribute (or `style` text) it came from. */
  where: string
  target: string
}

/** Every `href` (any namespace) and `url(...)` in the document, plus `@import` in style text. */
export function collectReferences(doc: SvgDocument): SvgReference[] {
  const refs: SvgReference[] = []
  for (const el of doc.elements) {
    for (const a of el.attributes) {
      if (a.local === 'href') refs.push({ el, where: a.name, target: a.value.trim() })
      for (const m of a.value.matchAll(URL_FUNCTION)) {
        refs.push({ el, where: a.name, target: (m[2] ?? '').trim() })
      }
    }
    if (el.local === 'style') {
      for (const m of el.text.matchAll(URL_FUNCTION)) {
        refs.push({ el, where: 'style sheet', target: (m[2] ?? '').trim() })
      }
      for (const m of el.text.matchAll(/@import\s+(?:url\()?\s*['"]?([^'")\s;]+)/gi)) {
        refs.push({ el, where: 'style sheet @import', target: m[1] ?? '' })
      }
    }
  }
  return refs
}

/** The id a same-document reference (`#id`) names, or null for anything else. */
export function fragmentId(target: string): string | null {
  const m = /^#([^\s#]+)$/.exec(target)
  return m ? (m[1] as string) : null
}

// Every `href` must be a same-document `#id` and every `url(...)` a `url(#id)`; raster `data:`
// URIs are refused as bitmap content rather than as references.
/** SVG-PS §2.2 (as quoted), BIMI Group: no external links or references, no raster data. */
export function checkExternalReferences(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const ref of collectReferences(doc)) {
    if (fragmentId(ref.target) !== null) continue
    const path = elementPath(ref.el)
    const raster = RASTER_DATA.exec(ref.target)
    if (raster) {
      const message = `${ref.where} embeds a raster image (${raster[0]}); logos must be vector only`
      issues.push(svgIssue('raster-image', path, message))
    } else {
      const target = shown(ref.target)
      const message = `${ref.where} refers to "${target}"; only same-document #id refs are allowed`
      issues.push(svgIssue('external-reference', path, message))
    }
  }
  return issues
}

/** Same-document references should name an id that exists (a warning: nothing is drawn). */
export function checkUnresolvedReferences(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const ref of collectReferences(doc)) {
    const id = fragmentId(ref.target)
    if (id === null || doc.ids.has(id)) continue
    const message = `${ref.where} refers to #${shown(id)}, but no element has that id`
    issues.push(svgIssue('unresolved-reference', elementPath(ref.el), message))
  }
  return issues
}

/** Ids should be unique, or references become ambiguous (a warning: the schema allows it). */
export function checkDuplicateIds(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const el of doc.elements) {
    for (const a of el.attributes) {
      const isId = a.local === 'id' && (a.uri === '' || a.uri === XML_NS)
      const owner = isId ? doc.ids.get(a.value.trim()) : undefined
      if (owner && owner !== el) {
        const message = `id "${shown(a.value.trim())}" is already used by ${elementPath(owner)}`
        issues.push(svgIssue('duplicate-id', elementPath(el), message))
      }
    }
  }
  return issues
}
