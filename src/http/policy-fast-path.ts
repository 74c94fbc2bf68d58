import type { IncomingMessage, ServerResponse } from 'node:http'
import { type FastPathDeps, PolicyAnswers } from './policy-answer.js'
import { POLICY_PATH } from './public.js'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * The hot request — GET or HEAD of a policy we serve — answered straight on node's response,
 * before the hono adapter builds Request/Response objects for it: through the adapter and
 * routing, keep-alive throughput was a fifth of this path's. Most such requests never get here:
 * the policy front (policy-front.ts) answers them on the TLS socket; this path takes those it
 * left to node's parser (a head split across reads, obs-text, HTTP/1.0, …). Same bytes, headers
 * and log line as the hono route (public.ts); every other request, error cases included (two
 * Host fields, a Host that is not the connection's SNI name), goes to `next`.
 */
export function withPolicyFastPath(deps: FastPathDeps, next: NodeHandler): NodeHandler {
  const answers = new PolicyAnswers(deps)
  return (req, res) => {
    const method = req.method
    if ((method !== 'GET' && method !== 'HEAD') || req.url !== POLICY_PATH) return next(req, res)
    const timing = answers.start()
    // rawHeaders, not req.headers: node builds that object lazily, and only this path skips it.
    const { host: raw, hosts, requestId: incoming } = hostAndRequestId(req.rawHeaders)
    // Two Host fields (400) and a Host that is not the SNI name (421) are hono's to answer.
    const found = hosts === 1 ? answers.find(raw, req.socket) : undefined
    if (found === undefined) return next(req, res)
    const requestId = answers.requestId(incoming)
    res.writeHead(200, answers.headerLines(found.body.bytes.byteLength, requestId))
    if (method === 'HEAD') res.end()
    else res.end(found.body.bytes)
    answers.answered(timing, found, raw, method, requestId, req.socket.remoteAddress)
  }
}

/**
 * The Host (and how many Host fields were sent) and X-Request-Id, the latter only when sent
 * once (node joins repeats with ", ", which no id accepts).
 */
function hostAndRequestId(raw: string[]): { host?: string; hosts: number; requestId?: string } {
  let host: string | undefined
  let hosts = 0
  let requestId: string | undefined
  let ids = 0
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length === 4 && name.toLowerCase() === 'host') {
      hosts++
      host = raw[i + 1]
    } else if (name.length === 12 && name.toLowerCase() === 'x-request-id') {
      ids++
      requestId = raw[i + 1]
    }
  }
  return { host, hosts, requestId: ids === 1 ? requestId : undefined }
}
