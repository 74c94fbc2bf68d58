/**
 * The SVG Tiny PS profile as tables, derived from the BIMI Group RELAX NG compact schema
 * `SVG_PS-latest.rnc` (sha256 21aa62ccf4c718c34d816435afec4630981d47490d36b85b96a61529dff82932,
 * provenance in test/fixtures/svg-tiny-ps/PROVENANCE.md). test/svg-schema-agreement.test.ts
 * checks these tables against the schema with jing. Attribute keys: unprefixed names as written,
 * `xml:*` for the XML namespace; the schema declares no other namespace (so no `xlink:`).
 */

// Attributes every profile element but `metadata` takes (schema: core, RDFa and xml:*).
const CORE = [
  'id',
  'xml:id',
  'xml:base',
  'xml:lang',
  'class',
  'role',
  'rel',
  'rev',
  'typeof',
  'content',
  'datatype',
  'resource',
  'about',
  'property',
  'xml:space',
]

// The presentation attribute block the schema repeats on every graphics-related element. Note
// what it lacks: `opacity`, `display`, `visibility`, `clip-path`, `mask`, `filter`, `style`.
const PRESENTATION = [
  'fill-opacity',
  'stroke-opacity',
  'fill',
  'fill-rule',
  'stroke',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-width',
  'color',
  'color-rendering',
  'vector-effect',
  'direction',
  'unicode-bidi',
  'solid-color',
  'solid-opacity',
  'display-align',
  'line-increment',
  'stop-color',
  'stop-opacity',
  'font-family',
  'font-size',
  'font-style',
  'font-variant',
  'font-weight',
  'text-anchor',
  'text-align',
]

const CONDITIONAL = ['requiredFonts', 'systemLanguage']

// Only `title` and `desc` take these (the schema gives graphics elements no `display`).
const TEXT_META = [
  'display',
  'visibility',
  'image-rendering',
  'shape-rendering',
  'text-rendering',
  'buffered-rendering',
  'viewport-fill',
  'viewport-fill-opacity',
]

const GRAPHIC = [...CORE, ...PRESENTATION, ...CONDITIONAL, 'transform']

const ROOT_ONLY = [
  'width',
  'height',
  'viewBox',
  'baseProfile',
  'version',
  'contentScriptType',
  'externalResourcesRequired',
  'focusable',
  'playbackOrder',
  'preserveAspectRatio',
  'snapshotTime',
  'timelineBegin',
  'zoomAndPan',
]

const set = (...names: string[]): ReadonlySet<string> => new Set(names)

/** Allowed attributes per profile element (schema attribute lists). */
export const ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  svg: set(...CORE, ...PRESENTATION, ...ROOT_ONLY),
  title: set(...CORE, ...CONDITIONAL, ...TEXT_META),
  desc: set(...CORE, ...CONDITIONAL, ...TEXT_META),
  metadata: set(),
  path: set(...GRAPHIC, 'd', 'pathLength'),
  rect: set(...GRAPHIC, 'x', 'y', 'width', 'height', 'rx', 'ry'),
  circle: set(...GRAPHIC, 'cx', 'cy', 'r'),
  ellipse: set(...GRAPHIC, 'cx', 'cy', 'rx', 'ry'),
  line: set(...GRAPHIC, 'x1', 'y1', 'x2', 'y2'),
  polyline: set(...GRAPHIC, 'points'),
  polygon: set(...GRAPHIC, 'points'),
  text: set(...GRAPHIC, 'x', 'y', 'rotate', 'editable'),
  textArea: set(...GRAPHIC, 'x', 'y', 'width', 'height'),
  g: set(...GRAPHIC),
  use: set(...GRAPHIC, 'href', 'x', 'y'),
  defs: set(...CORE, ...PRESENTATION),
  solidColor: set(...CORE, ...PRESENTATION),
  linearGradient: set(...CORE, ...PRESENTATION, 'gradientUnits', 'x1', 'y1', 'x2', 'y2'),
  radialGradient: set(...CORE, ...PRESENTATION, 'gradientUnits', 'cx', 'cy', 'r'),
  stop: set(...CORE, ...PRESENTATION, 'offset'),
}

const DRAWABLE = [
  'path',
  'rect',
  'circle',
  'line',
  'ellipse',
  'polyline',
  'polygon',
  'solidColor',
  'textArea',
  'linearGradient',
  'radialGradient',
  'text',
  'g',
  'defs',
  'use',
]

/**
 * Allowed child elements per parent (schema content models). `svg` also takes exactly one
 * `title`, which must come first; the title rules check that. Elements not listed take none.
 */
export const CHILDREN: Readonly<Record<string, ReadonlySet<string>>> = {
  svg: set('title', 'desc', 'metadata', ...DRAWABLE),
  g: set(...DRAWABLE),
  defs: set(...DRAWABLE),
  linearGradient: set('stop'),
  radialGradient: set('stop'),
}

/** Elements whose content is text only (`text` in the schema); the rest take no character data. */
export const TEXT_CONTENT: ReadonlySet<string> = set(
  'title',
  'desc',
  'metadata',
  'text',
  'textArea',
)

/**
 * Defined by the schema but referenced by no content model, so a schema validator rejects them
 * wherever they appear, although the draft text mentions embedded fonts (specs.md D.3).
 */
export const UNREACHABLE: ReadonlySet<string> = set('font', 'glyph', 'hkern', 'font-face')
