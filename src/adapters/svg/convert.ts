/**
 * adapters/svg: turns an ordinary SVG logo into SVG Tiny PS (specs part D) with svgo, an explicit
 * list of built-ins that cannot change the picture, and our own plugins. Every change becomes a
 * line in `changes`; what cannot be fixed without changing the picture (raster images, non-square
 * artwork, text to outline, clip paths…) is kept so that the verdict on the output reports it.
 */
import { optimize } from 'svgo'
import { validateSvgTinyPs } from '../../core/bimi/svg-validate.js'
import type { ConversionResult } from '../../core/bimi/types.js'
import { DomainError } from '../../core/errors.js'
import { checkConvertBounds } from './input-bounds.js'
import { tinyPsAttributes } from './plugins/attributes.js'
import { cleanupSteps, tidySteps } from './plugins/builtins.js'
import { tinyPsCanvasClips } from './plugins/clips.js'
import { tinyPsElements } from './plugins/elements.js'
import { tinyPsGradients } from './plugins/gradients.js'
import { tinyPsRoot } from './plugins/root.js'
import type { ChangeLog } from './plugins/xast.js'

/**
 * Largest input converted: editors' exports with metadata and fonts run several times the
 * 32 KiB a logo may have, yet this bounds svgo's work (it builds a full tree) per request.
 */
export const MAX_CONVERT_INPUT_BYTES = 256 * 1024

// specs D.2/D.5: svgo's parser copies internal ENTITY values into sax, which expands them
// recursively (billion laughs); nothing with a DOCTYPE or an entity declaration is parsed at all.
const DECLARATION = /<!\s*(DOCTYPE|ENTITY)/i

/**
 * Converts `input` to SVG Tiny PS; `opts.title` becomes the `<title>`. Throws DomainError
 * VALIDATION (the API answers 422) for inputs that are too big, too deep or complex for svgo
 * (input-bounds.ts), carry a DOCTYPE/ENTITY, or are not XML; anything else thrown is a bug.
 */
export function convertToTinyPs(input: string, opts: { title?: string } = {}): ConversionResult {
  const bytes = Buffer.byteLength(input, 'utf8')
  if (bytes > MAX_CONVERT_INPUT_BYTES) {
    throw new DomainError(
      'VALIDATION',
      `the SVG is ${bytes} bytes; conversion takes at most ${MAX_CONVERT_INPUT_BYTES}`,
    )
  }
  const declared = DECLARATION.exec(input)
  if (declared) {
    const what = (declared[1] as string).toUpperCase()
    throw new DomainError(
      'VALIDATION',
      `the SVG has a <!${what}> declaration, which is refused unread (entities could expand or fetch files); export it without a DOCTYPE`,
    )
  }
  const log: ChangeLog = { changes: [] }
  let text = input
  if (text.startsWith('\uFEFF')) {
    text = text.slice(1)
    log.changes.push('removed the byte-order mark (UTF-8 needs none)')
  }
  checkConvertBounds(text)
  let svg: string
  try {
    svg = optimize(text, {
      multipass: false,
      // One line keeps the output small (32 KiB cap); svgo keeps text content intact.
      js2svg: { pretty: false, finalNewline: true },
      plugins: [
        ...cleanupSteps(log),
        tinyPsElements(log),
        tinyPsGradients(log),
        tinyPsRoot(log, opts.title),
        tinyPsCanvasClips(log),
        tinyPsAttributes(log),
        ...tidySteps(log),
      ],
    }).data
  } catch (err) {
    if ((err as Error).name === 'SvgoParserError') {
      throw new DomainError(
        'VALIDATION',
        `the SVG is not well-formed XML: ${(err as Error).message}`,
      )
    }
    throw err
  }
  return { svg, changes: log.changes, verdict: validateSvgTinyPs(svg) }
}
