import { DomainError } from '../core/errors.js'
import { fieldIssues } from '../core/issues.js'

interface ValidationResult {
  success: boolean
  error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }
  target: string
}

/**
 * Route hook: a malformed query parameter is a bad request (400) naming the parameter; other
 * inputs (path, body) keep the router's 422. Query parameters are the caller's syntax, not
 * content that was understood and refused.
 */
export function queryIs400(result: ValidationResult): undefined {
  if (result.success || !result.error) return undefined
  const issues = fieldIssues(result.error.issues)
  if (result.target === 'query') {
    throw new DomainError('BAD_REQUEST', 'invalid query parameter', issues)
  }
  throw new DomainError('VALIDATION', 'invalid request', issues)
}
