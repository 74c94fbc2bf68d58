/** Shared by the CLI commands: output, argument checks, one-line errors. */
import { DomainError } from '../core/errors.js'
import { fieldIssues } from '../core/issues.js'
import { normalizeDomainName } from '../core/domain-name.js'

export class UsageError extends Error {}

/**
 * C0/C1 controls, DEL, zero-width marks, line separators and bidi controls: a terminal acts on
 * them (ANSI escapes, new lines, reordered text), so text from outside (a mailed report's
 * attachment name, an error quoting it) could forge lines. The backslash too, so escapes stay
 * unambiguous.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g
const NAMED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** `s` with every UNSAFE character shown as an escape (`\n`, `\x1b`, `\u202e`): one safe line. */
export function escapeText(s: string): string {
  return s.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0)
    if (NAMED[ch] !== undefined) return NAMED[ch]
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

export const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n')
export const json = (v: unknown) => out(JSON.stringify(v, null, 2))

export function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`)
  return value
}

/** Parses with zod and turns failures into one VALIDATION error listing every issue. */
export function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }
  },
  v: unknown,
): T {
  const r = schema.safeParse(v)
  if (!r.success) throw new DomainError('VALIDATION', 'invalid input', fieldIssues(r.error.issues))
  return r.data
}

/** A domain argument, normalised the same way as in the API. */
export function domainArg(value: string | undefined): string {
  const checked = normalizeDomainName(need(value, 'DOMAIN'))
  if (!checked.ok)
    throw new DomainError('VALIDATION', `invalid DOMAIN: ${checked.issues[0]?.message}`)
  return checked.value
}

/** An error as one line, escaped: messages may quote what an outsider sent. */
export function oneLine(err: unknown): string {
  if (err instanceof DomainError && err.issues.length > 0) {
    return escapeText(
      `${err.message}: ${err.issues.map((i) => `${i.path || '(value)'}: ${i.message}`).join('; ')}`,
    )
  }
  return escapeText(err instanceof Error ? err.message : String(err))
}
