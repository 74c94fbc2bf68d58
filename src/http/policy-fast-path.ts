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
 * response, before the hono adapter builds Request/Response objects for it: that adapter cost
 * about half of the keep-alive throughput. Same bytes, headers and canonical log line as the
 * hono route (public.ts); every other request, including every error case, goes to `next`.
 */
export function withPolicyFastPath(deps: FastPathDeps, next: NodeHandler): NodeHandler {
  return (req, res) => {
    const method = req.method
    if ((method !== 'GET' && method !== 'HEAD') || req.url !== POLICY_PATH) return next(req, res)
    // Most senders send the bare lower-case name, which is its own canonical form.
    const raw = req.headers.host
    let body = raw === undefined ? undefined : deps.policies.lookup(raw)
    if (body === undefined) {
      const host = hostFromHeader(raw)
      body = host === null ? undefined : deps.policies.lookup(host)
    }
    if (body === undefined) return next(req, res)
    const started = performance.now()
    const incoming = req.headers['x-request-id']
    const requestId = requestIdOf(typeof incoming === 'string' ? incoming : undefined, deps.newId)
    const headers = policyHeaders(body, deps.policyCacheSeconds)
    headers['x-request-id'] = requestId
    res.writeHead(200, headers)
    if (method === 'HEAD') res.end()
    else res.end(body.bytes)
    deps.log.info('request', {
      requestId,
      host: req.headers.host,
      method,
      path: POLICY_PATH,
      status: 200,
      ms: elapsedMs(started),
    })
  }
}
