import { DomainError, type FieldIssue } from './errors.js'

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

/**
 * Parses input with a zod schema (any object with safeParse) and turns a failure into one
 * VALIDATION error listing every issue: how the CLI and the dashboard validate what the API's
 * routes validate with the same schemas.
 */
export function parseInput<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: ZodLikeIssue[] } }
  },
  v: unknown,
): T {
  const r = schema.safeParse(v)
  if (!r.success) throw new DomainError('VALIDATION', 'invalid input', fieldIssues(r.error.issues))
  return r.data
}
