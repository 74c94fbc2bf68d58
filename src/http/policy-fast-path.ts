import type { IncomingMessage, ServerResponse } from 'node:http'
import { hostFromHeader } from '../core/domain-name.js'
import type { Logger } from '../core/ports.js'
import { elapsedMs, requestIdOf } from './middleware/request-log.js'
import { POLICY_PATH, policyHeaders, type PolicyLookup } from './public.js'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface FastPathDeps {
  policies: PolicyLookup
  policyCacheSeconds: number
  log: Logger
  newId: () => string
}

/**
 * The one hot request — GET or HEAD of a policy we serve — answered straight on node's
 * response, before the hono adapter builds Request/Response objects for it: through the
 * adapter and routing, keep-alive throughput was a fifth of this path's. Same bytes, headers
 * and log line as the hono route (public.ts); every other request, error cases included, goes
 * to `next`.
 */
export function withPolicyFastPath(deps: FastPathDeps, next: NodeHandler): NodeHandler {
  return (req, res) => {
    const method = req.method
    if ((method !== 'GET' && method !== 'HEAD') || req.url !== POLICY_PATH) return next(req, res)
    // rawHeaders, not req.headers: node builds that object lazily, and only this path skips it.
    const { host: raw, requestId: incoming } = hostAndRequestId(req.rawHeaders)
    // Most senders send the bare lower-case name, which is its own canonical form.
    let body = raw === undefined ? undefined : deps.policies.lookup(raw)
    if (body === undefined) {
      const host = hostFromHeader(raw)
      body = host === null ? undefined : deps.policies.lookup(host)
    }
    if (body === undefined) return next(req, res)
    const logged = deps.log.enabled('info')
    const started = logged ? performance.now() : 0
    const requestId = requestIdOf(incoming, deps.newId)
    const headers = policyHeaders(body, deps.policyCacheSeconds)
    headers['x-request-id'] = requestId
    res.writeHead(200, headers)
    if (method === 'HEAD') res.end()
    else res.end(body.bytes)
    if (logged) {
      deps.log.info('request', {
        requestId,
        host: raw,
        method,
        path: POLICY_PATH,
        status: 200,
        ms: elapsedMs(started),
      })
    }
  }
}

/**
 * Host and X-Request-Id as node's req.headers would give them: the first Host (node drops
 * repeats), and X-Request-Id only when sent once (node joins repeats with ", ", which no id
 * accepts).
 */
function hostAndRequestId(raw: string[]): { host?: string; requestId?: string } {
  let host: string | undefined
  let requestId: string | undefined
  let ids = 0
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 4 && host === undefined && name.toLowerCase() === 'host') host = raw[i + 1]
    else if (name.length === 12 && name.toLowerCase() === 'x-request-id') {
      ids++
      requestId = raw[i + 1]
    }
  }
  return { host, requestId: ids === 1 ? requestId : undefined }
}
