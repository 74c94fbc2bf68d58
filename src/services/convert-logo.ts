import type { Actor } from '../core/actor.js'
import { actorTenant, OPERATOR_QUEUE } from '../core/actor.js'
import type { ConversionResult } from '../core/bimi/types.js'
import type { ServiceDeps } from './deps.js'

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
