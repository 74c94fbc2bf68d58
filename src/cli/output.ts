/** Shared by the CLI commands: output, argument checks, one-line errors. */
import { DomainError } from '../core/errors.js'
import { fieldIssues } from '../core/issues.js'
import { normalizeDomainName } from '../core/domain-name.js'

export class UsageError extends Error {}

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

export function oneLine(err: unknown): string {
  if (err instanceof DomainError && err.issues.length > 0) {
    return `${err.message}: ${err.issues.map((i) => `${i.path || '(value)'}: ${i.message}`).join('; ')}`
  }
  return err instanceof Error ? err.message : String(err)
}
