/**
 * A service's refusal, as a form shows it (issue 14): each problem beside its field (the API's
 * own messages, from DomainError.issues), the rest as one notice. Unexpected errors are not
 * turned into text here: they go to the app's error handler, which never shows internals.
 */
import { DomainError } from '../../core/errors.js'

export interface FormErrors {
  /** Messages by field path (`mx.1` is shown beside the `mx` field, with its index). */
  fields: Map<string, string[]>
  /** Problems not tied to a field (a conflict, a quota, a rate limit). */
  general: string[]
}

export const noErrors = (): FormErrors => ({ fields: new Map(), general: [] })

/** The DomainError's problems by field; rethrows anything that is not a DomainError. */
export function formErrors(err: unknown, fieldOf: (path: string) => string = topField): FormErrors {
  if (!(err instanceof DomainError)) throw err
  const out = noErrors()
  if (err.issues.length === 0) out.general.push(err.message)
  for (const issue of err.issues) {
    const field = fieldOf(issue.path)
    if (field === '') {
      out.general.push(issue.message)
      continue
    }
    const detail = issue.path === field ? issue.message : `${issue.path}: ${issue.message}`
    out.fields.set(field, [...(out.fields.get(field) ?? []), detail])
  }
  return out
}

/** `mx.1` → `mx`; `''` stays '' (a problem with the whole input). */
export const topField = (path: string): string => path.split('.')[0] ?? ''
