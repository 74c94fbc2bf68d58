import type { Actor } from '../../core/actor.js'
import { actorTenant, OPERATOR_QUEUE } from '../../core/actor.js'
import type { ConversionResult, SvgIssue } from '../../core/bimi/types.js'
import type { ServiceDeps } from '../deps.js'

/** Largest SVG accepted for conversion: editors' exports are bigger than the 32 KiB result. */
export const MAX_CONVERT_BYTES = 262_144

/**
 * Converts an ordinary SVG into SVG Tiny PS and says what changed and what is still wrong. Runs
 * in the worker pool under the caller's tenant; input it refuses or that passes a job limit is a
 * DomainError naming the limit (422, 429, 503), and anything else stays a bug (500, logged).
 */
export function convertLogo(
  deps: ServiceDeps,
  actor: Actor,
  svg: string,
  title: string | undefined,
): Promise<ConversionResult> {
  return deps.bimi.convert(svg, { title, owner: actorTenant(actor) ?? OPERATOR_QUEUE })
}

/**
 * Rules the converter never gets past: it refuses a DOCTYPE and XML it cannot parse, and a
 * document whose root is not `<svg>` is no SVG to convert.
 */
const CONVERTER_REFUSES = new Set(['doctype', 'xml-well-formed', 'root-element'])

/**
 * Rules the converter fixes in the shape design tools export them (test/fixtures/convert,
 * test/fixtures/svg): the root's attributes, the title, elements and attributes outside the
 * profile, styles, encoding and size. Raster images, non-square artwork, a single colour and
 * external references are kept and reported, so they alone are no reason to convert.
 */
const CONVERTER_FIXES = new Set([
  'size',
  'encoding',
  'processing-instruction',
  'root-namespace',
  'root-version',
  'root-base-profile',
  'root-position',
  'title-missing',
  'title-not-first',
  'title-duplicate',
  'title-empty',
  'forbidden-element',
  'element-not-allowed',
  'foreign-element',
  'character-data',
  'attribute-not-allowed',
  'foreign-attribute',
  'event-attribute',
  'attribute-value',
  'constrained-attribute',
  'preserve-aspect-ratio',
])

/**
 * Where to convert an ordinary SVG that failed the Tiny PS check, when the converter can fix
 * some of its errors (issue 10 point 9); null when it cannot (not XML, not an SVG, a DOCTYPE,
 * or only problems it keeps).
 */
export function converterHint(errors: SvgIssue[]): string | null {
  if (errors.some((e) => CONVERTER_REFUSES.has(e.rule))) return null
  if (!errors.some((e) => CONVERTER_FIXES.has(e.rule))) return null
  return (
    'convert it first: POST /api/v1/bimi/convert?title=BRAND with the SVG ' +
    '(CLI: policyhost logo convert FILE --title BRAND), then upload the result'
  )
}
