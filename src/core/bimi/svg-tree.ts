/**
 * The parsed logo as a small element tree (sources are capped at 32 KiB), with the helpers the
 * rules share: element paths, attribute look-up and an explicit-stack walk (no recursion, so a
 * deeply nested hostile document cannot exhaust the call stack).
 */

export const SVG_NS = 'http://www.w3.org/2000/svg'
export const XML_NS = 'http://www.w3.org/XML/1998/namespace'

export interface SvgAttribute {
  /** Qualified name as written, e.g. `xlink:href`. */
  name: string
  local: string
  /** Namespace URI; '' for unprefixed attributes. */
  uri: string
  value: string
}

export interface SvgElement {
  /** Qualified name as written, e.g. `sodipodi:namedview`. */
  name: string
  local: string
  uri: string
  /** Attributes in source order, namespace declarations left out. */
  attributes: SvgAttribute[]
  children: SvgElement[]
  parent: SvgElement | null
  /** Character data directly inside the element (text and CDATA), concatenated. */
  text: string
  /** Path step such as `g[2]`: the 1-based index appears when same-named siblings exist. */
  step: string
}

export interface SvgDocument {
  root: SvgElement
  /** Every element in document order. */
  elements: SvgElement[]
  /** First element carrying each `id` / `xml:id` value. */
  ids: Map<string, SvgElement>
}

/** True for an element in the SVG namespace, optionally with the given local name. */
export function isSvgElement(el: SvgElement, local?: string): boolean {
  return el.uri === SVG_NS && (local === undefined || el.local === local)
}

/** The value of an unprefixed attribute, or undefined. */
export function attrValue(el: SvgElement, local: string): string | undefined {
  return el.attributes.find((a) => a.uri === '' && a.local === local)?.value
}

/** The key an attribute has in the profile tables: `fill`, `xml:lang`, or `{uri}local`. */
export function attributeKey(a: SvgAttribute): string {
  if (a.uri === '') return a.local
  if (a.uri === XML_NS) return `xml:${a.local}`
  return `{${a.uri}}${a.local}`
}

/** The XPath-like path of an element, e.g. `/svg/g[2]/image`. */
export function elementPath(el: SvgElement): string {
  const steps: string[] = []
  for (let e: SvgElement | null = el; e; e = e.parent) steps.push(e.step)
  return '/' + steps.reverse().join('/')
}

/** Fills in each element's path step once the tree is complete. */
export function assignSteps(root: SvgElement): void {
  root.step = displayName(root)
  walk(root, (el) => {
    const counts = new Map<string, number>()
    for (const child of el.children) {
      const name = displayName(child)
      counts.set(name, (counts.get(name) ?? 0) + 1)
    }
    const seen = new Map<string, number>()
    for (const child of el.children) {
      const name = displayName(child)
      const index = (seen.get(name) ?? 0) + 1
      seen.set(name, index)
      child.step = (counts.get(name) ?? 0) > 1 ? `${name}[${index}]` : name
    }
    return true
  })
}

function displayName(el: SvgElement): string {
  return el.uri === SVG_NS ? el.local : el.name
}

/** Visits `root` and its descendants in document order; `visit` returns false to skip a subtree. */
export function walk(root: SvgElement, visit: (el: SvgElement) => boolean): void {
  const stack: SvgElement[] = [root]
  while (stack.length > 0) {
    const el = stack.pop() as SvgElement
    if (!visit(el)) continue
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i] as SvgElement)
  }
}

/** The SVG-namespace child elements of `el`. */
export function svgChildren(el: SvgElement): SvgElement[] {
  return el.children.filter((c) => c.uri === SVG_NS)
}

/** XML whitespace (#x20 #x9 #xD #xA), the only text RELAX NG ignores in element content. */
export function isXmlWhitespace(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text)
}
