import { z } from 'zod'
import type { Checked, FieldIssue } from '../errors.js'
import { normalizeMxPattern } from './mx-pattern.js'
import { checkedString } from '../checked-schema.js'

/** RFC 8461 §3.2: the largest max_age, 365.25 days in seconds. */
export const MAX_AGE_LIMIT = 31557600

/** RFC 8461 §3.2: the policy mode, case-sensitive. */
export const Mode = z.enum(['enforce', 'testing', 'none'])
export type Mode = z.infer<typeof Mode>

const MxPattern = checkedString(260, normalizeMxPattern)

// `when` keeps these checks running beside other fields' issues, so every problem is reported.
const MxList = z
  .array(MxPattern)
  .max(100)
  .superRefine(
    (patterns, ctx) => {
      const seen = new Set<string>()
      patterns.forEach((pattern, index) => {
        // A pattern that failed its own check has already been reported.
        if (typeof pattern !== 'string') return
        // Product rule: a repeated pattern is legal (RFC 8461 §3.2) but always a typo.
        if (seen.has(pattern)) {
          ctx.addIssue({ code: 'custom', path: [index], message: `repeats mx "${pattern}"` })
        }
        seen.add(pattern)
      })
    },
    { when: (payload) => Array.isArray(payload.value) },
  )

/** An MTA-STS policy as accepted from users; the output holds normalised mx patterns. */
export const MtaStsPolicyInput = z
  .object({
    mode: Mode.describe('enforce, testing or none (RFC 8461 §5)'),
    mx: MxList.default([]).describe('MX host names or *.-wildcards (RFC 8461 §4.1)'),
    maxAge: z
      .number()
      .int()
      .min(0)
      .max(MAX_AGE_LIMIT)
      .describe('Seconds senders may cache the policy (RFC 8461 §3.2)'),
  })
  .strict()
  .superRefine(
    (policy, ctx) => {
      // RFC 8461 §3.2: mx is "required at least once, except when mode is none"
      const needsMx = policy.mode === 'enforce' || policy.mode === 'testing'
      if (needsMx && Array.isArray(policy.mx) && policy.mx.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['mx'], message: `mode ${policy.mode} needs an mx` })
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )

export type MtaStsPolicy = z.output<typeof MtaStsPolicyInput>
export type MtaStsPolicyInputT = z.input<typeof MtaStsPolicyInput>

/** Renders the policy body served at /.well-known/mta-sts.txt. */
export function renderPolicy(p: MtaStsPolicy): string {
  // RFC 8461 §3.2: one field per line, one line per mx; version first because some parsers
  // expect it there; CRLF after every line, the last included (erratum 6253 allows LF too).
  const lines = ['version: STSv1', `mode: ${p.mode}`, ...p.mx.map((mx) => `mx: ${mx}`)]
  lines.push(`max_age: ${p.maxAge}`)
  return lines.map((line) => `${line}\r\n`).join('')
}

// RFC 8461 §3.2: sts-policy-ext-name, then ":" *WSP, the value, and optional trailing *WSP.
const FIELD = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):[ \t]*(.*?)[ \t]*$/
// RFC 8461 §3.2: values hold VCHAR, UTF-8 and inner spaces, never control characters.
const CONTROL = /\p{Cc}/u
const KNOWN = new Set(['version', 'mode', 'max_age'])

function lineIssue(line: string): string {
  if (line === '') return 'blank lines are not allowed' // RFC 8461 §3.2 ABNF has none
  // RFC 8461 §3.2: leading whitespace would read as a header continuation
  if (/^[ \t]/.test(line)) return 'must not begin with whitespace'
  return 'is not a "key: value" field'
}

function parseMaxAge(text: string | undefined, issues: FieldIssue[]): number {
  const path = 'maxAge'
  if (text === undefined) issues.push({ path, message: 'max_age is required' })
  // RFC 8461 §3.2: sts-policy-max-age-value = 1*10(DIGIT), at most 31557600
  else if (!/^\d{1,10}$/.test(text)) issues.push({ path, message: 'max_age must be 1-10 digits' })
  else if (Number(text) > MAX_AGE_LIMIT) {
    issues.push({ path, message: `max_age must be at most ${MAX_AGE_LIMIT}` })
  }
  return Number(text)
}

function parseMx(values: string[], issues: FieldIssue[]): string[] {
  return values.map((value, index) => {
    const path = `mx.${index}`
    const result = normalizeMxPattern(value)
    if (!result.ok) issues.push(...result.issues.map(({ message }) => ({ path, message })))
    // RFC 8461 §3.2: mx values are A-labels; we also want them exactly as we would write them.
    else if (result.value !== value) {
      issues.push({ path, message: `mx must be written as "${result.value}"` })
    }
    return value
  })
}

/** Parses a policy body (LF or CRLF); line issues use 1-based paths `line.<n>`. */
export function parsePolicy(
  text: string,
): Checked<MtaStsPolicy & { extensions: Record<string, string> }> {
  const issues: FieldIssue[] = []
  const fields = new Map<string, string>()
  const mxValues: string[] = []
  // RFC 8461 §3.2: sts-policy-term is LF or CRLF, and the last one is optional.
  text
    .replace(/\r?\n$/, '')
    .split(/\r?\n/)
    .forEach((line, index) => {
      const path = `line.${index + 1}`
      const [, key = '', value = ''] = FIELD.exec(line) ?? []
      if (key === '') issues.push({ path, message: lineIssue(line) })
      else if (value === '' || CONTROL.test(value)) {
        issues.push({ path, message: `${key} needs a value without control characters` })
      } else if (key === 'mx') mxValues.push(value)
      // RFC 8461 §3.2: for every field except mx, all entries but the first are ignored
      else if (!fields.has(key)) fields.set(key, value)
    })
  const version = fields.get('version')
  // RFC 8461 §3.2: "Currently only "STSv1" is supported."
  if (version !== 'STSv1') issues.push({ path: 'version', message: 'version must be STSv1' })
  const mode = Mode.safeParse(fields.get('mode'))
  // RFC 8461 §3.2: one of "enforce", "testing", "none", case-sensitive
  if (!mode.success) issues.push({ path: 'mode', message: 'mode must be enforce, testing or none' })
  const maxAge = parseMaxAge(fields.get('max_age'), issues)
  const mx = parseMx(mxValues, issues)
  // RFC 8461 §3.2: mx is required at least once, except when mode is none
  if (mode.success && mode.data !== 'none' && mx.length === 0) {
    issues.push({ path: 'mx', message: `mode ${mode.data} needs an mx` })
  }
  // RFC 8461 §3.2: unknown fields SHALL be ignored; they are kept only for inspection.
  const extensions = Object.fromEntries([...fields].filter(([key]) => !KNOWN.has(key)))
  if (issues.length > 0 || !mode.success) return { ok: false, issues }
  return { ok: true, value: { mode: mode.data, mx, maxAge, extensions } }
}
