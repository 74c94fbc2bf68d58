import { z } from '@hono/zod-openapi'
import { DomainError } from '../../core/errors.js'
import { fieldIssues } from '../../core/issues.js'

/**
 * `GET /domains` pages by (name, id): names repeat across tenants' claims, so the id breaks
 * ties. The cursor is opaque to clients — base64url of `<name> <id>` — and only a value the
 * list handed out decodes.
 */
export interface DomainCursor {
  name: string
  id: string
}

const KEY = /^([a-z0-9._-]{1,253}) ([A-Za-z0-9-]{1,64})$/
const NOT_A_CURSOR = 'is not a cursor returned by this list'

export const encodeDomainCursor = (c: DomainCursor): string =>
  Buffer.from(`${c.name} ${c.id}`, 'utf8').toString('base64url')

export function decodeDomainCursor(text: string): DomainCursor | null {
  if (!/^[A-Za-z0-9_-]{1,500}$/.test(text)) return null
  const m = KEY.exec(Buffer.from(text, 'base64url').toString('utf8'))
  return m ? { name: m[1]!, id: m[2]! } : null
}

/** `?cursor=`: a `nextCursor` from an earlier page. */
export const DomainCursor = z
  .string()
  .transform((text, ctx) => {
    const cursor = decodeDomainCursor(text)
    if (cursor === null) {
      ctx.addIssue({ code: 'custom', message: NOT_A_CURSOR })
      return z.NEVER
    }
    return cursor
  })
  .openapi({ type: 'string', description: 'The nextCursor of the previous page' })

/** `?limit=`: 1 to `max` rows per page, `dflt` when absent. */
export const pageLimit = (max: number, dflt: number) => {
  const message = `must be a whole number from 1 to ${max}`
  return z.coerce
    .number({ error: message })
    .int(message)
    .min(1, message)
    .max(max, message)
    .default(dflt)
    .openapi({ type: 'integer', description: `Rows per page (default ${dflt}, at most ${max})` })
}

/**
 * Route hook: a malformed query parameter is the caller's syntax, so 400 naming it; other
 * inputs keep the router's 422.
 */
export function queryIsBadRequest(result: {
  success: boolean
  target: string
  error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }
}): undefined {
  if (result.success || !result.error) return undefined
  const issues = fieldIssues(result.error.issues)
  throw new DomainError(
    result.target === 'query' ? 'BAD_REQUEST' : 'VALIDATION',
    result.target === 'query' ? 'invalid query parameter' : 'invalid request',
    issues,
  )
}
