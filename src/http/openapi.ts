import { OpenAPIHono, type z } from '@hono/zod-openapi'
import { DomainError } from '../core/errors.js'
import { fieldIssues } from '../core/issues.js'
import type { AppEnv } from './env.js'
import { ProblemOut } from './views.js'

/** A router whose schema failures become one 422 listing every issue. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new DomainError('VALIDATION', 'invalid request', fieldIssues(result.error.issues))
      }
    },
  })
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { 'application/json': { schema } } } } as const
}

/** A JSON response. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const
}

const PROBLEM_TEXT: Record<number, string> = {
  400: 'Malformed JSON',
  401: 'Missing, unknown or revoked token',
  403: 'The token may not do this',
  404: 'Not found, or not visible to this token',
  409: 'Conflicts with the current state',
  413: 'Body over the size limit',
  415: 'Body is not JSON',
  422: 'Invalid input; every problem is listed in `errors`',
}

/** The problem+json responses a route can give. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: PROBLEM_TEXT[s] ?? 'Error',
        content: { 'application/problem+json': { schema: ProblemOut } },
      },
    ]),
  )
}

/** The errors every authenticated route can give. */
export const AUTH_PROBLEMS = [401, 403] as const
