/**
 * What the SVG Tiny PS schema (BIMI Group RNC, ../shared specs part D.3) allows, as the converter
 * needs it: which attributes each allowed element may carry. The validator in core/bimi remains
 * the judge; this table only tells the converter which attributes it may have to drop.
 */

const words = (s: string) => s.trim().split(/\s+/)

// RNC: the id/xml:* and RDFa attributes every element of the profile carries.
const CORE = words(
  'about class content datatype id property rel resource rev role typeof xml:base xml:id xml:lang xml:space',
)

// RNC: the presentation attribute group shared by svg, shapes, g, defs, gradients, stop, use.
const PRESENTATION = words(`color color-rendering direction display-align fill fill-opacity
  fill-rule font-family font-size font-style font-variant font-weight line-increment solid-color
  solid-opacity stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset stroke-linecap
  stroke-linejoin stroke-miterlimit stroke-opacity stroke-width text-align text-anchor unicode-bidi
  vector-effect`)

// RNC: rendered elements also take conditional processing and a transform.
const GRAPHIC = [...PRESENTATION, 'requiredFonts', 'systemLanguage', 'transform']

const TITLE_DESC = words(`buffered-rendering display image-rendering requiredFonts shape-rendering
  systemLanguage text-rendering viewport-fill viewport-fill-opacity visibility`)

const ROOT = words(`baseProfile contentScriptType externalResourcesRequired focusable height
  playbackOrder preserveAspectRatio snapshotTime timelineBegin version viewBox width zoomAndPan`)

const table: Record<string, string[]> = {
  svg: [...PRESENTATION, ...ROOT],
  title: TITLE_DESC,
  desc: TITLE_DESC,
  metadata: [],
  path: [...GRAPHIC, 'd', 'pathLength'],
  rect: [...GRAPHIC, ...words('x y width height rx ry')],
  circle: [...GRAPHIC, 'cx', 'cy', 'r'],
  line: [...GRAPHIC, ...words('x1 y1 x2 y2')],
  ellipse: [...GRAPHIC, ...words('cx cy rx ry')],
  polyline: [...GRAPHIC, 'points'],
  polygon: [...GRAPHIC, 'points'],
  solidColor: PRESENTATION,
  textArea: [...GRAPHIC, ...words('x y width height')],
  text: [...GRAPHIC, ...words('editable rotate x y')],
  linearGradient: [...PRESENTATION, ...words('gradientUnits x1 y1 x2 y2')],
  radialGradient: [...PRESENTATION, ...words('gradientUnits cx cy r')],
  g: GRAPHIC,
  defs: PRESENTATION,
  use: [...GRAPHIC, 'href', 'x', 'y'],
  stop: [...PRESENTATION, 'offset'],
}

const allowed = new Map(
  Object.entries(table).map(([name, attrs]) => [
    name,
    new Set(name === 'metadata' ? [] : [...CORE, ...attrs]),
  ]),
)

/** Elements the profile allows (D.3); `metadata` only with text content. */
export const ALLOWED_ELEMENTS: ReadonlySet<string> = new Set(allowed.keys())

/** Whether `attr` may appear on `element` under the profile (namespace declarations aside). */
export function attributeAllowed(element: string, attr: string): boolean {
  if (attr === 'xmlns' || attr.startsWith('xmlns:')) return true
  return allowed.get(element)?.has(attr) ?? false
}

/**
 * SVG-PS §2.3 (as quoted from -12): attributes that "SHOULD NOT be present" and, if present, must
 * have one value; plus contentScriptType, which only names a script language. None of them
 * affects a static picture, so the converter drops them whatever their value.
 */
export const CONSTRAINED: Readonly<Record<string, string>> = {
  zoomAndPan: 'disable',
  externalResourcesRequired: 'false',
  focusable: 'false',
  snapshotTime: 'none',
  playbackOrder: 'all',
  timelineBegin: 'onLoad',
  contentScriptType: '',
  editable: 'none',
}

/** Elements that draw something (for hidden-element and opacity decisions). */
export const RENDERED = new Set(
  words('path rect circle line ellipse polyline polygon text textArea use image g a switch svg'),
)

/** Leaf shapes whose fill and stroke do not overlap when one of them is `none`. */
export const SHAPES = new Set(words('path rect circle line ellipse polyline polygon'))
