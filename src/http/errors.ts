/**
 * The one place where failures become HTTP responses: RFC 9457 problem details
 * (`application/problem+json`) with every field issue listed. Unknown errors are logged with
 * the request id and answered with a generic 500; no stack trace or internal message leaks.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DomainError, type ErrorCode, type FieldIssue } from '../core/errors.js'
import type { AppEnv } from './env.js'

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VALIDATION: 422,
  PRECONDITION_FAILED: 412,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  UPSTREAM: 502,
  INTERNAL: 500,
}

const TITLE: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

/** The HTTP status of a domain error: the API's problems and the dashboard's pages alike. */
export const statusOf = (code: ErrorCode): ContentfulStatusCode => STATUS[code]

/** Writes a problem+json response. */
export function problem<E extends AppEnv>(
  c: Context<E>,
  status: ContentfulStatusCode,
  detail: string,
  errors: FieldIssue[] = [],
): Response {
  const body = {
    type: 'about:blank',
    title: TITLE[status] ?? 'Error',
    status,
    detail,
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...(errors.length > 0 ? { errors } : {}),
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="policyhost"'
  return c.body(JSON.stringify(body), status, headers)
}

/** hono onError handler: maps domain errors and HTTP exceptions, hides everything else. */
export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof DomainError) {
    const res = problem(c, STATUS[err.code], err.message, err.issues)
    // RFC 9110 §10.2.3: a client told to wait is told how long (429, 503).
    if (err.retryAfterSeconds !== undefined) {
      res.headers.set('retry-after', String(err.retryAfterSeconds))
    }
    return res
  }
  if (err instanceof HTTPException) {
    return problem(
      c,
      err.status as ContentfulStatusCode,
      err.message || TITLE[err.status] || 'Error',
    )
  }
  c.get('log').error('unhandled_error', { error: err.message, stack: err.stack })
  return problem(c, 500, 'internal error; quote the request id when reporting it')
}
