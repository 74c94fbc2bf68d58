/**
 * What the SVG Tiny PS profile allows, as the converter needs it. The tables are the validator's
 * (core/bimi, checked against jing), so the converter never disagrees with the judge.
 */
import { ATTRIBUTES } from '../../../core/bimi/svg-profile.js'
import { CONSTRAINED as PROFILE_CONSTRAINED } from '../../../core/bimi/svg-values.js'

const words = (s: string) => s.trim().split(/\s+/)

/** Elements the profile allows (D.3), from the validator's schema tables. */
export const ALLOWED_ELEMENTS: ReadonlySet<string> = new Set(Object.keys(ATTRIBUTES))

/** Whether the schema lets `element` carry `attr` (namespace declarations always pass). */
export function attributeAllowed(element: string, attr: string): boolean {
  if (attr === 'xmlns' || attr.startsWith('xmlns:')) return true
  return ATTRIBUTES[element]?.has(attr) ?? false
}

/**
 * SVG-PS §2.3 (as quoted from -12): attributes that "SHOULD NOT be present" and, if present, must
 * have one value; plus contentScriptType, which only names a script language. None of them
 * affects a static picture, so the converter drops them whatever their value.
 */
export const CONSTRAINED: Readonly<Record<string, string>> = {
  ...PROFILE_CONSTRAINED,
  contentScriptType: '',
}

/** Elements that draw something (for hidden-element and opacity decisions). */
export const RENDERED = new Set(
  words('path rect circle line ellipse polyline polygon text textArea use image g a switch svg'),
)

/** Leaf shapes whose fill and stroke do not overlap when one of them is `none`. */
export const SHAPES = new Set(words('path rect circle line ellipse polyline polygon'))
