import type { IncomingMessage, ServerResponse } from 'node:http'
import { hostFromHeader } from '../core/domain-name.js'
import { noMetrics, type Metrics } from '../core/metrics.js'
import type { Logger } from '../core/ports.js'
import { elapsedMs, requestIdOf } from './middleware/request-log.js'
import { policyDomainOf, secondsSince } from './middleware/request-metrics.js'
import { plainAddress, serverNameOf } from './peer.js'
import { POLICY_PATH, policyHeaders, type PolicyLookup } from './public.js'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface FastPathDeps {
  policies: PolicyLookup
  policyCacheSeconds: number
  log: Logger
  newRequestId: () => string
  /** Counts the requests answered here, which the app's requestMetrics never sees. */
  metrics: Metrics
}

/**
 * The one hot request — GET or HEAD of a policy we serve — answered straight on node's
 * response, before the hono adapter builds Request/Response objects for it: through the
 * adapter and routing, keep-alive throughput was a fifth of this path's. Same bytes, headers
 * and log line as the hono route (public.ts); every other request, error cases included (two
 * Host fields, a Host that is not the connection's SNI name), goes to `next`.
 */
export function withPolicyFastPath(deps: FastPathDeps, next: NodeHandler): NodeHandler {
  const headersOf = headerLines(deps.policyCacheSeconds)
  return (req, res) => {
    const method = req.method
    if ((method !== 'GET' && method !== 'HEAD') || req.url !== POLICY_PATH) return next(req, res)
    const counted = deps.metrics !== noMetrics
    const began = counted ? process.hrtime.bigint() : 0n
    // rawHeaders, not req.headers: node builds that object lazily, and only this path skips it.
    const { host: raw, hosts, requestId: incoming } = hostAndRequestId(req.rawHeaders)
    // Two Host fields (400) and a Host that is not the SNI name (421) are hono's to answer.
    if (hosts !== 1) return next(req, res)
    const sni = (req.socket as { servername?: string | false | null }).servername
    // Most senders send the bare lower-case name, as in their SNI: its own canonical form.
    let host = raw === sni ? raw! : null
    let body = host !== null ? deps.policies.lookup(host) : undefined
    if (body === undefined) {
      host = hostFromHeader(raw)
      body =
        host !== null && host === serverNameOf(req.socket) ? deps.policies.lookup(host) : undefined
    }
    if (body === undefined || host === null) return next(req, res)
    const logged = deps.log.enabled('info')
    const started = logged ? performance.now() : 0
    const requestId = requestIdOf(incoming, deps.newRequestId)
    const headers = headersOf(body.bytes.byteLength)
    headers.push('x-request-id', requestId)
    res.writeHead(200, headers)
    if (method === 'HEAD') res.end()
    else res.end(body.bytes)
    if (counted) {
      deps.metrics.countHttpRequest('policy', 200, policyDomainOf(host))
      deps.metrics.observePolicyFetch(secondsSince(began))
    }
    if (logged) {
      deps.log.info('request', {
        requestId,
        peer: plainAddress(req.socket.remoteAddress),
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
 * policyHeaders as node's flat [name, value, …] list, built once per body length (all that
 * varies) and copied per response, instead of an object built and walked per response (in a
 * bare node:https server that cost ~20 % more CPU per request; here it was within the noise).
 */
function headerLines(cacheSeconds: number): (byteLength: number) => string[] {
  const built = new Map<number, string[]>()
  return (byteLength) => {
    let lines = built.get(byteLength)
    if (lines === undefined) {
      lines = Object.entries(policyHeaders(byteLength, cacheSeconds)).flat()
      // Bounded by the policy size limit, but a map that only grows is kept small anyway.
      if (built.size >= MAX_LENGTHS) built.clear()
      built.set(byteLength, lines)
    }
    return lines.slice()
  }
}

/** Distinct body lengths whose header lines are kept (policies are short; lengths repeat). */
const MAX_LENGTHS = 1024

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
