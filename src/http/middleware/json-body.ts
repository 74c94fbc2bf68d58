import type { MiddlewareHandler } from 'hono'
import { problem } from '../errors.js'
import type { AppEnv } from '../env.js'

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

/**
 * Requests that carry a body must say it is JSON (415 otherwise), so a form post or a
 * mislabelled upload is refused instead of being read as an empty object.
 */
export function requireJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const type = c.req.header('content-type') ?? ''
      const hasBody = c.req.header('content-length') !== '0' || type !== ''
      if (hasBody && !JSON_TYPE.test(type)) {
        return problem(c, 415, 'request body must be application/json')
      }
    }
    await next()
  }
}
