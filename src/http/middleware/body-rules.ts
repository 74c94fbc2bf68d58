import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { problem } from '../errors.js'
import type { AppEnv } from '../env.js'

/** What a route accepts as its body: the media type and the most bytes. */
export interface BodyRule {
  /** Matches the request path (under /api/v1). */
  path: RegExp
  type: RegExp
  /** Named in the 415 answer. */
  typeName: string
  maxBytes: number
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

/**
 * Enforces each route's body media type (415) and size (413, counted while reading, so a
 * lying Content-Length cannot get more through). Routes without a rule take JSON up to
 * `defaultMax`, so a form post or a mislabelled upload is refused instead of read as {}.
 */
export function bodyRules(rules: BodyRule[], defaultMax: number): MiddlewareHandler<AppEnv> {
  const fallback: BodyRule = {
    path: /.*/,
    type: JSON_TYPE,
    typeName: 'application/json',
    maxBytes: defaultMax,
  }
  const limiters = new Map<BodyRule, MiddlewareHandler<AppEnv>>()
  const limiterOf = (rule: BodyRule) => {
    let l = limiters.get(rule)
    if (!l) {
      l = bodyLimit({
        maxSize: rule.maxBytes,
        onError: (c) => problem(c, 413, `request body over ${rule.maxBytes} bytes`),
      })
      limiters.set(rule, l)
    }
    return l
  }
  return async (c, next) => {
    const method = c.req.method
    if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return next()
    const rule = rules.find((r) => r.path.test(c.req.path)) ?? fallback
    const type = c.req.header('content-type') ?? ''
    // RFC 9112 §6.3: without Content-Length or Transfer-Encoding a request has no body (curl's
    // `-X POST` with no data), which a route whose body is optional accepts.
    const length = c.req.header('content-length')
    const hasBody =
      (length !== undefined && length !== '0') ||
      c.req.header('transfer-encoding') !== undefined ||
      type !== ''
    if (hasBody && !rule.type.test(type)) {
      return problem(c, 415, `request body must be ${rule.typeName}`)
    }
    return limiterOf(rule)(c, next)
  }
}
