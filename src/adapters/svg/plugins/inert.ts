/**
 * Which attributes (or leftover style properties) outside the profile can go without changing
 * the picture: initial values, properties that only act on elements the profile lacks, editor
 * hints. Anything not listed here is kept, so the verdict reports it.
 */

/** The reason a property can be dropped; `minor` ones are rendering hints (antialiasing). */
export interface Inertness {
  minor: boolean
}

const NO_EFFECT = { minor: false }
const HINT = { minor: true }

const any = () => true
const oneOf =
  (...vs: string[]) =>
  (v: string) =>
    vs.includes(v.trim().toLowerCase().replace(/\s+/g, ' '))

// CSS/SVG initial values (SVG 1.1 property index, CSS Text/Fonts/Compositing), plus properties
// that act only on filters, clipping, pointers or layout that Tiny PS logos do not have.
const INERT: Record<string, (v: string) => boolean> = {
  'mix-blend-mode': oneOf('normal'),
  'paint-order': oneOf('normal', 'fill', 'fill stroke', 'fill stroke markers'),
  'letter-spacing': oneOf('normal', '0', '0px'),
  'word-spacing': oneOf('normal', '0', '0px'),
  'text-decoration': oneOf('none'),
  'text-decoration-line': oneOf('none'),
  'text-decoration-style': any,
  'text-decoration-color': any,
  'baseline-shift': oneOf('baseline', '0', '0px'),
  'dominant-baseline': oneOf('auto'),
  'alignment-baseline': oneOf('auto', 'baseline'),
  'writing-mode': oneOf('horizontal-tb', 'lr-tb', 'lr'),
  'text-orientation': oneOf('mixed'),
  'font-stretch': oneOf('normal', '100%'),
  'font-size-adjust': oneOf('none'),
  'font-variant-ligatures': oneOf('normal'),
  'font-variant-caps': oneOf('normal'),
  'font-variant-numeric': oneOf('normal'),
  'font-variant-east-asian': oneOf('normal'),
  'font-variant-position': oneOf('normal'),
  'font-variant-alternates': oneOf('normal'),
  'font-feature-settings': oneOf('normal'),
  'font-variation-settings': oneOf('normal'),
  'font-kerning': oneOf('auto'),
  'text-transform': oneOf('none'),
  'text-indent': oneOf('0', '0px'),
  'white-space': oneOf('normal'),
  'shape-inside': oneOf('none'),
  'shape-padding': oneOf('0', '0px'),
  'shape-margin': oneOf('0', '0px'),
  'inline-size': oneOf('0', '0px'),
  // SVG 1.1 text layout never uses line-height; Inkscape writes explicit y per line.
  'line-height': any,
  'glyph-orientation-vertical': oneOf('auto'),
  'glyph-orientation-horizontal': oneOf('0', '0deg'),
  opacity: oneOf('1', '100%'),
  filter: oneOf('none'),
  mask: oneOf('none'),
  'clip-path': oneOf('none'),
  marker: oneOf('none'),
  'marker-start': oneOf('none'),
  'marker-mid': oneOf('none'),
  'marker-end': oneOf('none'),
  isolation: oneOf('auto'),
  display: (v) => v.trim() !== 'none',
  clip: oneOf('auto'),
  'color-interpolation': oneOf('srgb', 'auto'),
  // Filter-primitive and lighting properties: nothing in the profile reads them.
  'color-interpolation-filters': any,
  'flood-color': any,
  'flood-opacity': any,
  'lighting-color': any,
  'enable-background': any,
  'pointer-events': any,
  cursor: any,
  'color-profile': any,
  'buffered-rendering': any,
  // The root viewport clips to the viewBox anyway; other allowed elements have no overflow.
  overflow: any,
  'transform-origin': oneOf('0 0', '0px 0px', 'left top', '0% 0%'),
  'text-rendering': oneOf('auto'),
  'shape-rendering': oneOf('auto', 'geometricprecision'),
}

const HINTS = new Set(['shape-rendering', 'text-rendering', 'image-rendering'])

/** Non-SVG markup that renderers ignore: editor data, HTML-isms, accessibility hooks. */
const IGNORED = /^(data-.+|aria-.+|tabindex|lang|title|version|baseProfile)$/

/**
 * Whether dropping `name="value"` from an element the profile allows keeps the picture (and
 * whether it is only a rendering hint). transform-origin needs a transform to act on, clip-rule
 * a clip path around it, paint-order a stroke, visibility="visible" a hidden ancestor.
 */
export function inertness(
  name: string,
  value: string,
  at: { hasTransform: boolean; inClipPath: boolean; stroked: boolean; underHidden: boolean },
): Inertness | null {
  if (/^-[a-z]+-/.test(name)) return NO_EFFECT // vendor properties: -inkscape-font-specification
  if (IGNORED.test(name)) return NO_EFFECT
  if (name === 'transform-origin' && !at.hasTransform) return NO_EFFECT
  if (name === 'clip-rule' && (!at.inClipPath || value.trim() === 'nonzero')) return NO_EFFECT
  // visibility="visible" only matters below a hidden ancestor (it is inherited, not reset).
  if (name === 'visibility' && !at.underHidden && oneOf('visible', 'inherit')(value)) {
    return NO_EFFECT
  }
  // Painting order matters only when there is a stroke to paint before the fill.
  if (name === 'paint-order' && !at.stroked) return NO_EFFECT
  if (INERT[name]?.(value)) return NO_EFFECT
  if (HINTS.has(name)) return HINT
  return null
}
