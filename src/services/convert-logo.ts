import type { ConversionResult } from '../core/bimi/types.js'
import { DomainError } from '../core/errors.js'
import type { ServiceDeps } from './deps.js'

/** Largest SVG accepted for conversion: editors' exports are bigger than the 32 KiB result. */
export const MAX_CONVERT_BYTES = 262_144

/** Converts an ordinary SVG into SVG Tiny PS and says what changed and what is still wrong. */
export function convertLogo(
  deps: ServiceDeps,
  svg: string,
  title: string | undefined,
): ConversionResult {
  try {
    return deps.bimi.convert(svg, { title })
  } catch (err) {
    throw new DomainError('VALIDATION', `cannot convert this SVG: ${(err as Error).message}`)
  }
}
