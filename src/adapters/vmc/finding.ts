/**
 * adapters/vmc: the findings of a mark certificate inspection, shaped as the SVG issues so one
 * list in the API and the domain status shows both.
 *
 * The fetch-and-validation draft is cited by the section numbers of its -05 source (read in
 * full); implementations citing -10/-11 use the same numbers for these sections.
 */
import type { Severity, SvgIssue } from '../../core/bimi/types.js'

export const VMC_DRAFT = 'draft-fetch-validation-vmc-wchuang'

/** One finding; `path` names the certificate (`/certificate[1]` is the first in the file). */
export function finding(
  rule: string,
  severity: Severity,
  path: string,
  message: string,
  source: string,
): SvgIssue {
  return { rule, severity, path, message, source }
}

/** XPath-like path of the n-th certificate (0-based index), 1-based as in XPath. */
export const certPath = (index: number) => `/certificate[${index + 1}]`
