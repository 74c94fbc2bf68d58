import { checkBackground } from './svg-background.js'
import { checkColorCount } from './svg-colors.js'
import { toVerdict } from './svg-issues.js'
import { decodeSvg, parseSvg } from './svg-parse.js'
import {
  checkAttributes,
  checkEventAttributes,
  checkRootAttributes,
  checkRootPosition,
} from './svg-rules-attributes.js'
import {
  checkCharacterData,
  checkElements,
  checkRootElement,
  checkTitle,
} from './svg-rules-elements.js'
import {
  checkDuplicateIds,
  checkExternalReferences,
  checkUnresolvedReferences,
} from './svg-rules-references.js'
import { checkAspect, checkDesc, checkPixelSize, checkText } from './svg-rules-visual.js'
import { checkNumbers, checkUseReferences } from './svg-rules-numbers.js'
import type { SvgDocument } from './svg-tree.js'
import type { SvgIssue, SvgVerdict } from './types.js'

export type SvgCheck = (doc: SvgDocument) => SvgIssue[]

/** Checks that hold whatever the root is: security first, they matter most. */
const DOCUMENT_CHECKS: readonly SvgCheck[] = [
  checkExternalReferences,
  checkEventAttributes,
  checkRootElement,
]

/** Checks that need an SVG root, one concern each, in the order a reader would fix them. */
const PROFILE_CHECKS: readonly SvgCheck[] = [
  checkRootAttributes,
  checkRootPosition,
  checkTitle,
  checkElements,
  checkAttributes,
  checkCharacterData,
  checkUnresolvedReferences,
  checkUseReferences,
  checkDuplicateIds,
  checkNumbers,
  checkAspect,
  checkColorCount,
  checkPixelSize,
  checkDesc,
  checkText,
  checkBackground,
]

// draft-svg-tiny-ps-abrotman: the BIMI Group schema plus the prose rules receivers apply.
/** Validates a BIMI logo against SVG Tiny PS, returning every problem with its element path. */
export function validateSvgTinyPs(svg: string | Uint8Array): SvgVerdict {
  const decoded = decodeSvg(svg)
  if (!decoded.ok) return toVerdict([decoded.issue])
  const parsed = parseSvg(decoded.text)
  if (!parsed.doc) return toVerdict(parsed.issues)
  const doc = parsed.doc
  const issues = [...parsed.issues, ...DOCUMENT_CHECKS.flatMap((check) => check(doc))]
  if (issues.some((i) => i.rule === 'root-element' || i.rule === 'root-namespace')) {
    return toVerdict(issues)
  }
  return toVerdict([...issues, ...PROFILE_CHECKS.flatMap((check) => check(doc))])
}
