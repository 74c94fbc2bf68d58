import { svgIssue } from './svg-issues.js'
import { ATTRIBUTES, CHILDREN, TEXT_CONTENT, UNREACHABLE } from './svg-profile.js'
import { elementPath, isSvgElement, isXmlWhitespace, SVG_NS, walk } from './svg-tree.js'
import type { SvgDocument, SvgElement } from './svg-tree.js'
import type { SvgIssue } from './types.js'

/**
 * SVG-PS §2.2 (as quoted): SVG Tiny 1.2 minus scripting, animation, interactivity, linking,
 * multimedia, conditional processing and raster images; plus CSS (`style`). None is in the
 * schema; naming the reason makes the message actionable.
 */
const FORBIDDEN: Readonly<Record<string, string>> = {
  script: 'scripting',
  handler: 'scripting',
  listener: 'event handling',
  animate: 'animation',
  animateColor: 'animation',
  animateMotion: 'animation',
  animateTransform: 'animation',
  set: 'animation',
  discard: 'animation',
  mpath: 'animation',
  animation: 'animation (embedded document)',
  audio: 'multimedia',
  video: 'multimedia',
  image: 'a raster or external image',
  a: 'linking',
  switch: 'conditional processing',
  prefetch: 'an external fetch',
  foreignObject: 'foreign content',
  iframe: 'an embedded document',
  style: 'CSS (use presentation attributes)',
}

export type Placement = 'allowed' | 'forbidden' | 'foreign' | 'not-allowed'

/** Where an element stands against the profile's content models, given its parent. */
export function placementOf(el: SvgElement): Placement {
  if (el.uri !== SVG_NS) return el.uri === '' ? 'not-allowed' : 'foreign'
  if (FORBIDDEN[el.local] !== undefined) return 'forbidden'
  if (!el.parent) return el.local === 'svg' ? 'allowed' : 'not-allowed'
  if (el.parent.uri !== SVG_NS) return 'not-allowed'
  return CHILDREN[el.parent.local]?.has(el.local) ? 'allowed' : 'not-allowed'
}

/** The elements inside the profile: the root and descendants reached through allowed elements. */
export function profileElements(doc: SvgDocument): SvgElement[] {
  const out: SvgElement[] = []
  walk(doc.root, (el) => {
    if (placementOf(el) !== 'allowed') return false
    out.push(el)
    return true
  })
  return out
}

/** SVG-PS §2.1 (schema): the root is `svg` in the SVG namespace. */
export function checkRootElement(doc: SvgDocument): SvgIssue[] {
  const root = doc.root
  const path = elementPath(root)
  if (root.local !== 'svg') {
    return [svgIssue('root-element', path, `the root element is <${root.name}>, not <svg>`)]
  }
  if (root.uri !== SVG_NS) {
    const ns = root.uri === '' ? 'no namespace' : `namespace "${root.uri}"`
    const message = `<svg> is in ${ns}; it must be in "${SVG_NS}" (xmlns="${SVG_NS}")`
    return [svgIssue('root-namespace', path, message)]
  }
  return []
}

/** SVG-PS §2.1–§2.2 (schema): every element is one the profile allows where it stands. */
export function checkElements(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  walk(doc.root, (el) => {
    const placement = placementOf(el)
    if (placement === 'allowed') return true
    const path = elementPath(el)
    if (placement === 'forbidden') {
      const message = `<${el.local}> is not allowed: SVG Tiny PS excludes ${FORBIDDEN[el.local]}`
      issues.push(svgIssue('forbidden-element', path, message))
    } else if (placement === 'foreign') {
      const message = `<${el.name}> is in the foreign namespace "${el.uri}" (no editor data)`
      issues.push(svgIssue('foreign-element', path, message))
    } else {
      issues.push(svgIssue('element-not-allowed', path, notAllowedMessage(el)))
    }
    return false
  })
  return issues
}

function notAllowedMessage(el: SvgElement): string {
  const parent = el.parent ? `<${el.parent.name}>` : 'the document'
  if (el.uri !== SVG_NS) return `<${el.name}> is not in the SVG namespace`
  if (UNREACHABLE.has(el.local)) {
    return `<${el.local}> is defined by the schema but allowed nowhere (convert text to paths)`
  }
  if (el.local === 'title') return `<title> is allowed only as the first child of <svg>`
  if (TEXT_CONTENT.has(el.parent?.local ?? ''))
    return `${parent} takes text only, not <${el.local}>`
  if (!isKnown(el.local)) return `<${el.local}> is not part of SVG Tiny PS`
  return `<${el.local}> is not allowed inside ${parent}`
}

function isKnown(local: string): boolean {
  return ATTRIBUTES[local] !== undefined
}

/** SVG-PS §2.1 (schema): character data only inside title, desc, metadata, text and textArea. */
export function checkCharacterData(doc: SvgDocument): SvgIssue[] {
  const issues: SvgIssue[] = []
  for (const el of profileElements(doc)) {
    if (TEXT_CONTENT.has(el.local) || isXmlWhitespace(el.text)) continue
    const sample = el.text.trim().slice(0, 24)
    const message = `text "${sample}" is not allowed directly inside <${el.local}>`
    issues.push(svgIssue('character-data', elementPath(el), message))
  }
  return issues
}

// SVG-PS §2.1 (as quoted): the title "SHOULD be no more than 64 characters".
const MAX_TITLE_CHARS = 64

/** SVG-PS §2.1 (schema `svg` content): exactly one `title`, first; non-empty (prose). */
export function checkTitle(doc: SvgDocument): SvgIssue[] {
  const root = doc.root
  const children = root.children
  const titles = children.filter((c) => isSvgElement(c, 'title'))
  const first = titles[0]
  if (!first) {
    const message = 'no <title>: the first child of <svg> must be a <title> naming the brand'
    return [svgIssue('title-missing', elementPath(root), message)]
  }
  const issues: SvgIssue[] = []
  if (children[0] !== first) {
    const before = children[0]?.name ?? '?'
    const message = `<title> must be the first child element of <svg>, but <${before}> comes first`
    issues.push(svgIssue('title-not-first', elementPath(first), message))
  }
  for (const extra of titles.slice(1)) {
    const message = '<svg> takes exactly one <title>'
    issues.push(svgIssue('title-duplicate', elementPath(extra), message))
  }
  const text = first.text.trim()
  if (text === '') {
    const message = '<title> is empty; it should name the brand'
    issues.push(svgIssue('title-empty', elementPath(first), message))
  } else if ([...text].length > MAX_TITLE_CHARS) {
    const length = [...text].length
    const message = `<title> has ${length} characters; keep it to ${MAX_TITLE_CHARS} or fewer`
    issues.push(svgIssue('title-too-long', elementPath(first), message))
  }
  return issues
}
