import type { Severity, SvgIssue, SvgVerdict } from './types.js'

/**
 * Where a rule's verdict comes from. `schema`: the BIMI Group RNC decides it too (jing rejects
 * the same documents); `xml`: XML well-formedness, which jing also rejects; `prose`: draft text,
 * receivers or product policy the schema cannot express (specs.md D.5); `guidance`: warnings.
 */
export type RuleBasis = 'schema' | 'xml' | 'prose' | 'guidance'

interface RuleInfo {
  severity: Severity
  source: string
  basis: RuleBasis
}

const schema = (source = 'SVG-PS §2.1 (schema)'): RuleInfo => ({
  severity: 'error',
  source,
  basis: 'schema',
})
const prose = (source: string): RuleInfo => ({ severity: 'error', source, basis: 'prose' })
const advice = (source: string): RuleInfo => ({ severity: 'warning', source, basis: 'guidance' })

/** Every rule the SVG Tiny PS validator reports, by stable id. */
export const SVG_RULES = {
  size: prose('SVG-PS §2.4 (as quoted): "SHOULD NOT exceed 32 kilobytes"'),
  encoding: prose('XML 1.0 §4.3.3; product policy: UTF-8 only'),
  'xml-well-formed': { severity: 'error', source: 'XML 1.0 §2.1 (well-formed)', basis: 'xml' },
  doctype: prose('BIMI §9.3 (XML bombs, external entities); SVG-PS §2.2 (as quoted)'),
  'processing-instruction': prose('SVG-PS §2.2 (as quoted): no external references'),
  'root-element': schema(),
  'root-namespace': schema(),
  'root-version': schema(),
  'root-base-profile': schema(),
  'root-position': schema('SVG-PS §2.2 (as quoted; schema): no x/y on the root'),
  'title-missing': schema(),
  'title-not-first': schema(),
  'title-duplicate': schema(),
  'title-empty': prose('SVG-PS §2.1 (as quoted): title reflects the company name'),
  'title-too-long': advice('SVG-PS §2.1 (as quoted): "SHOULD be no more than 64 characters"'),
  'forbidden-element': schema('SVG-PS §2.2 (as quoted; schema)'),
  'element-not-allowed': schema('SVG-PS §2.1 (schema content models)'),
  'foreign-element': schema('SVG-PS §2.2 (schema): no foreign namespaces'),
  'character-data': schema('SVG-PS §2.1 (schema content models)'),
  'attribute-not-allowed': schema('SVG-PS §2.1 (schema attribute lists)'),
  'foreign-attribute': schema('SVG-PS §2.2 (schema): no foreign namespaces'),
  'event-attribute': schema('SVG-PS §2.2 (as quoted; schema): no scripting'),
  'attribute-value': schema('SVG-PS §2.1 (schema datatypes)'),
  'id-conflict': schema('SVG-PS §2.1 (schema): id or xml:id, not both'),
  'constrained-attribute': schema('SVG-PS §2.3 (as quoted; schema)'),
  'preserve-aspect-ratio': schema('SVG-PS §2.3 (schema pattern)'),
  'external-reference': prose('SVG-PS §2.2 (as quoted); BIMI Group: no external references'),
  'raster-image': prose('SVG-PS §2.2 (as quoted); BIMI Group: no bitmap content'),
  'unresolved-reference': advice('SVG Tiny 1.2 (IRI references to missing ids render nothing)'),
  'duplicate-id': advice('SVG Tiny 1.2 (id values are unique in a document)'),
  'viewbox-invalid': prose('SVG Tiny 1.2 §7.7 (viewBox: four numbers, positive size)'),
  'number-range': prose('SVG 1.1 §4.2 (single-precision range); product bound ±1e9, finite'),
  'path-data': prose('SVG 1.1 §8.3.9, SVG Tiny 1.2 §8.3 (path data grammar)'),
  'use-loop': prose('SVG Tiny 1.2 §5.6 (use): a reference may not draw itself'),
  'use-expansion': prose('BIMI §9.3 (resource exhaustion); product bound: 10,000 drawn elements'),
  'aspect-ratio': prose('BIMI guidance (Image Display: 1:1); BIMI Group; Gmail'),
  'aspect-unknown': advice('BIMI guidance (Image Display: 1:1)'),
  'percent-size': advice('Gmail (BIMI help): absolute pixel size'),
  'small-size': advice('Gmail (BIMI help): at least 96×96'),
  'color-count': prose('SVG-PS §2.4 (as quoted): "MUST include at least two colors"'),
  'desc-missing': advice('BIMI Group; Gmail: include a desc'),
  'desc-empty': advice('BIMI Group; Gmail: include a desc'),
  'text-element': advice('SVG-PS §2.4 (as quoted); BIMI guidance: convert text to paths'),
  background: advice('Gmail; BIMI guidance: solid, non-transparent background'),
} satisfies Record<string, RuleInfo>

export type SvgRuleId = keyof typeof SVG_RULES

/** Builds an issue with the severity and source the catalogue gives the rule. */
export function svgIssue(rule: SvgRuleId, path: string, message: string): SvgIssue {
  const info: RuleInfo = SVG_RULES[rule]
  // Messages quote document content, which may hold line breaks; a message is one line.
  const line = message.replace(/\s+/g, ' ')
  return { rule, severity: info.severity, path, message: line, source: info.source }
}

// Long values (paths, data: URIs) would drown the message; the path already locates them.
const MAX_SHOWN = 60

/** A document value as quoted in a message: shortened to a readable length. */
export function shown(value: string): string {
  return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value
}

// A hostile 32 KiB document can trip one rule thousands of times; past this many per rule the
// rest are summarised, which keeps the verdict small without hiding that the rule failed.
const MAX_ISSUES_PER_RULE = 50

/** Splits issues into errors and warnings, capping repeats of one rule. */
export function toVerdict(issues: readonly SvgIssue[]): SvgVerdict {
  const seen = new Map<string, number>()
  const kept: SvgIssue[] = []
  for (const issue of issues) {
    const n = (seen.get(issue.rule) ?? 0) + 1
    seen.set(issue.rule, n)
    if (n <= MAX_ISSUES_PER_RULE) kept.push(issue)
  }
  for (const [rule, n] of seen) {
    if (n <= MAX_ISSUES_PER_RULE) continue
    const first = issues.find((i) => i.rule === rule) as SvgIssue
    const more = n - MAX_ISSUES_PER_RULE
    kept.push({ ...first, path: '/', message: `…and ${more} more of the same (${rule})` })
  }
  const errors = kept.filter((i) => i.severity === 'error')
  const warnings = kept.filter((i) => i.severity === 'warning')
  return { valid: errors.length === 0, errors, warnings }
}
