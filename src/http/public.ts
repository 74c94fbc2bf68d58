import type { Context } from 'hono'
import type { ServedBody } from '../services/engines/policy-snapshot.js'
import type { AppEnv } from './env.js'

/** RFC 8461 §3.2: the policy lives at this one well-known path (§9.1). */
export const POLICY_PATH = '/.well-known/mta-sts.txt'

export interface PolicyLookup {
  lookup(hostname: string): ServedBody | undefined
}

/**
 * Answers a request on a customer hostname: the exact policy bytes with 200 on the well-known
 * path, 404 for anything else and for unknown hosts. Never a redirect (RFC 8461 §3.3).
 */
export function servePublic(
  c: Context<AppEnv>,
  host: string | null,
  policies: PolicyLookup,
  cacheSeconds: number,
): Response {
  const body = host !== null && c.req.path === POLICY_PATH ? policies.lookup(host) : undefined
  if (!body) return c.text('not found\n', 404)
  const method = c.req.method
  if (method !== 'GET' && method !== 'HEAD') {
    return c.text('method not allowed\n', 405, { allow: 'GET, HEAD' })
  }
  const headers = policyHeaders(body.bytes.byteLength, cacheSeconds)
  return method === 'HEAD' ? c.body(null, 200, headers) : c.body(body.bytes, 200, headers)
}

/** The headers of a served policy (GET and HEAD alike). */
export function policyHeaders(byteLength: number, cacheSeconds: number): Record<string, string> {
  return {
    // RFC 8461 §3.2: senders check for text/plain; charset=utf-8 is the one parameter they accept.
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(byteLength),
    // RFC 8461 §8.2 suggests 60 s for an endpoint proxied for many domains.
    'cache-control': `max-age=${cacheSeconds}`,
    'x-content-type-options': 'nosniff',
  }
}
