/** Shared by the CLI commands: output, argument checks, one-line errors. */
import { DomainError } from '../core/errors.js'
import { parseInput } from '../core/issues.js'
import { normalizeDomainName } from '../core/domain-name.js'
import { escapeForTerminal, escapeHiddenInJson } from '../core/safe-text.js'

/** Bad arguments (exit 2); `hint` says where to look, on the same line. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

/** Text from outside as one safe terminal line (core/safe-text.ts): `\n`, `\x1b`, `\u202e`. */
export const escapeText = escapeForTerminal

export const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n')
/** JSON for the terminal: hidden characters escaped as in log lines. */
export const json = (v: unknown) => out(escapeHiddenInJson(JSON.stringify(v, null, 2)))

export function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`)
  return value
}

/** Parses with zod and turns failures into one VALIDATION error listing every issue. */
export const parse = parseInput

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

/** An ISO time, or null. */
export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null)

/** A tab-separated table with a header row: every cell escaped, null as `-`. */
export function table(header: string[], rows: (string | number | null)[][]): void {
  out(header.join('\t'))
  for (const row of rows) out(row.map((c) => escapeText(c === null ? '-' : String(c))).join('\t'))
}

/** `field: value` lines, values escaped, null as `-`. */
export function fields(pairs: [string, string | number | null][]): void {
  for (const [k, v] of pairs) out(`${k}: ${escapeText(v === null ? '-' : String(v))}`)
}
