import type { FieldIssue } from './errors.js'

interface ZodLikeIssue {
  path: PropertyKey[]
  message: string
}

/** Flattens zod issues into `{path: 'mx.1', message}` pairs. */
export function fieldIssues(
  issues: readonly ZodLikeIssue[],
  prefix: PropertyKey[] = [],
): FieldIssue[] {
  return issues.map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.'),
    message: i.message,
  }))
}
