/** One problem found in an input, addressed by its path (`mx.1`, `maxAge`, `rua.0`). */
export interface FieldIssue {
  path: string
  message: string
  /** A stable rule id, where the validator has one (e.g. `forbidden-element`). */
  rule?: string
}

/** The small set of failure kinds the edges know how to map (http/errors.ts, cli/output.ts). */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'PRECONDITION_FAILED'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'UPSTREAM'
  | 'INTERNAL'

/** A failure the caller can act on; `issues` lists every problem, not only the first. */
export class DomainError extends Error {
  readonly code: ErrorCode
  readonly issues: FieldIssue[]
  /** When to try again (RATE_LIMITED, UNAVAILABLE): sent as `Retry-After` (RFC 9110 §10.2.3). */
  readonly retryAfterSeconds: number | undefined

  constructor(
    code: ErrorCode,
    message: string,
    issues: FieldIssue[] = [],
    opts: { retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.name = 'DomainError'
    this.code = code
    this.issues = issues
    this.retryAfterSeconds = opts.retryAfterSeconds
  }
}

/** Result of a pure validator that reports every issue it finds. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] }
