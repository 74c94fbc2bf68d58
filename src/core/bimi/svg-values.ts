/**
 * Attribute value constraints of the SVG Tiny PS schema (`SVG_PS-latest.rnc`, sha256
 * 21aa62ccf4c718c34d816435afec4630981d47490d36b85b96a61529dff82932). Every attribute not listed
 * here is `xsd:string` or `text` in the schema (an "inherit" | xsd:string choice is a string).
 */

const INHERIT = 'inherit'

/** Attributes whose value must be one of a list (schema enumerations, compared as tokens). */
export const ENUMERATED: Readonly<Record<string, readonly string[]>> = {
  'fill-rule': [INHERIT, 'nonzero', 'evenodd'],
  'stroke-linecap': ['butt', 'round', 'square', INHERIT],
  'stroke-linejoin': ['miter', 'round', 'bevel', INHERIT],
  'color-rendering': ['auto', 'optimizeSpeed', 'optimizeQuality', INHERIT],
  'vector-effect': ['none', 'non-scaling-stroke', INHERIT],
  direction: ['ltr', 'rtl', INHERIT],
  'unicode-bidi': ['normal', 'embed', 'bidi-override', INHERIT],
  'display-align': ['auto', 'before', 'center', 'after', INHERIT],
  'font-style': ['normal', 'italic', 'oblique', INHERIT],
  'font-variant': ['normal', 'small-caps', INHERIT],
  // No numeric weights: font-weight="700" from design tools is a schema error.
  'font-weight': ['normal', 'bold', 'bolder', 'lighter', INHERIT],
  'text-anchor': ['start', 'middle', 'end', INHERIT],
  'text-align': ['start', 'center', 'end', INHERIT],
  'xml:space': ['default', 'preserve'],
  display: [
    'inline',
    'block',
    'list-item',
    'run-in',
    'compact',
    'marker',
    'table',
    'inline-table',
    'table-row-group',
    'table-header-group',
    'table-footer-group',
    'table-row',
    'table-column-group',
    'table-column',
    'table-cell',
    'table-caption',
    'none',
    INHERIT,
  ],
  visibility: ['visible', 'hidden', 'collapse', INHERIT],
  'image-rendering': ['auto', 'optimizeSpeed', 'optimizeQuality', INHERIT],
  'shape-rendering': ['auto', 'optimizeSpeed', 'crispEdges', 'geometricPrecision', INHERIT],
  'text-rendering': ['auto', 'optimizeSpeed', 'optimizeLegibility', 'geometricPrecision', INHERIT],
  'buffered-rendering': ['auto', 'dynamic', 'static', INHERIT],
  gradientUnits: ['userSpaceOnUse', 'objectBoundingBox'],
}

/** Per-element exceptions: the schema's root `svg` omits "inherit" from font-weight. */
export const ENUMERATED_ON: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> =
  { svg: { 'font-weight': ['normal', 'bold', 'bolder', 'lighter'] } }

/**
 * SVG-PS §2.3 (as quoted): each "SHOULD NOT be present … If it is present, it MUST be set to"
 * this value; the schema allows only that value (`editable` on `text` likewise).
 */
export const CONSTRAINED: Readonly<Record<string, string>> = {
  zoomAndPan: 'disable',
  externalResourcesRequired: 'false',
  focusable: 'false',
  snapshotTime: 'none',
  playbackOrder: 'all',
  timelineBegin: 'onLoad',
  editable: 'none',
}

/** Schema: `preserveAspectRatio { xsd:string { pattern = "\s*(none|xMidYMid)\s*(meet)?\s*" } }`. */
// XSD `\s` is exactly [#x20\t\n\r], narrower than JavaScript's `\s`; XSD patterns are anchored.
export const PRESERVE_ASPECT_RATIO = /^[ \t\n\r]*(none|xMidYMid)[ \t\n\r]*(meet)?[ \t\n\r]*$/

/** XSD whitespace collapse, applied by the schema to tokens and to the NCName/NMTOKENS types. */
export function collapseWhitespace(value: string): string {
  return value.replace(/[ \t\n\r]+/g, ' ').trim()
}

// XML 1.0 (5th ed.) §2.3 NameStartChar without ':' and NameChar, as used by xsd:NCName/NMTOKEN.
const START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF' +
  '\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD' +
  '\\u{10000}-\\u{EFFFF}'
// Combining marks lead the class, so no mark follows a base character inside it.
const REST = `\\u0300-\\u036F${START}\\-.0-9\\u00B7\\u203F-\\u2040`
const NCNAME = new RegExp(`^[${START}][${REST}]*$`, 'u')
const NMTOKEN = new RegExp(`^[${REST}:]+$`, 'u')
// xsd:language (RFC 3066 shape); the schema's `xsd:language?` also admits the empty value.
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/

/** Schema datatypes other than strings, keyed like the profile tables: a problem, or null. */
export const DATATYPES: Readonly<Record<string, (value: string) => string | null>> = {
  id: (v) => (NCNAME.test(collapseWhitespace(v)) ? null : 'must be an XML name (xsd:NCName)'),
  'xml:id': (v) => (NCNAME.test(collapseWhitespace(v)) ? null : 'must be an XML name (xsd:NCName)'),
  class: (v) => {
    const tokens = collapseWhitespace(v).split(' ')
    const ok = tokens.every((t) => NMTOKEN.test(t))
    return ok ? null : 'must be a non-empty list of XML name tokens (xsd:NMTOKENS)'
  },
  'xml:lang': (v) => {
    const tag = collapseWhitespace(v)
    return tag === '' || LANGUAGE.test(tag) ? null : 'must be a language tag such as en-US'
  },
}
