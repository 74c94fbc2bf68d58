/**
 * What the two shortcuts for the hot request share — the policy front on the TLS socket
 * (policy-front.ts) and the fast path on node's request (policy-fast-path.ts): which policy a
 * Host on a connection gets, the response's header lines, and the count and log line the hono
 * route would have written. Both answer only what the route would answer with 200 and the same
 * bytes; everything else (a Host that is not the connection's SNI name, an unknown host) is
 * left to the route.
 */
import { hostFromHeader } from '../core/domain-name.js'
import { noMetrics, type Metrics } from '../core/metrics.js'
import type { Logger } from '../core/ports.js'
import type { ServedBody } from '../services/engines/policy-snapshot.js'
import { elapsedMs, requestIdOf } from './middleware/request-log.js'
import { policyDomainOf, secondsSince } from './middleware/request-metrics.js'
import { plainAddress, serverNameOf } from './peer.js'
import { POLICY_PATH, policyHeaders, type PolicyLookup } from './public.js'

export interface FastPathDeps {
  policies: PolicyLookup
  policyCacheSeconds: number
  log: Logger
  newRequestId: () => string
  /** Counts the requests answered here, which the app's requestMetrics never sees. */
  metrics: Metrics
}

/** A request one of the shortcuts answers: its canonical host and the bytes served. */
export interface Found {
  host: string
  body: ServedBody
}

/** Started before the lookup, finished by `answered` (timings for the metric and the log). */
export interface Timing {
  began: bigint
  /** performance.now() at the start when the line is logged, else null. */
  started: number | null
}

interface Headers {
  lines: string[]
  text: string
}

export class PolicyAnswers {
  private readonly built = new Map<number, Headers>()
  private readonly counted: boolean

  constructor(private readonly deps: FastPathDeps) {
    this.counted = deps.metrics !== noMetrics
  }

  start(): Timing {
    return {
      began: this.counted ? process.hrtime.bigint() : 0n,
      started: this.deps.log.enabled('info') ? performance.now() : null,
    }
  }

  /**
   * The policy for Host value `raw` on `socket`, or undefined: unknown host, or a Host that is
   * not the connection's SNI name (the route's 421, issue 9 finding 11).
   */
  find(raw: string | undefined, socket: unknown): Found | undefined {
    const sni = (socket as { servername?: string | false | null }).servername
    // Most senders send the bare lower-case name, as in their SNI: its own canonical form.
    if (raw !== undefined && raw === sni) {
      const body = this.deps.policies.lookup(raw)
      if (body !== undefined) return { host: raw, body }
    }
    const host = hostFromHeader(raw)
    if (host === null || host !== serverNameOf(socket)) return undefined
    const body = this.deps.policies.lookup(host)
    return body === undefined ? undefined : { host, body }
  }

  /** The id the response carries: a sane incoming X-Request-Id, else a new one. */
  requestId(incoming: string | undefined): string {
    return requestIdOf(incoming, this.deps.newRequestId)
  }

  /**
   * policyHeaders as node's flat [name, value, …] list plus the request id, built once per
   * body length (all that varies) and copied per response, instead of an object built and
   * walked per response (in a bare node:https server that cost ~20 % more CPU per request).
   */
  headerLines(byteLength: number, requestId: string): string[] {
    const lines = this.headersOf(byteLength).lines.slice()
    lines.push('x-request-id', requestId)
    return lines
  }

  /** The same header fields as HTTP/1.1 lines, each ending in CRLF (request id not included). */
  headerText(byteLength: number): string {
    return this.headersOf(byteLength).text
  }

  private headersOf(byteLength: number): Headers {
    let headers = this.built.get(byteLength)
    if (headers === undefined) {
      const fields = Object.entries(policyHeaders(byteLength, this.deps.policyCacheSeconds))
      headers = {
        lines: fields.flat(),
        text: fields.map(([name, value]) => `${name}: ${value}\r\n`).join(''),
      }
      // Bounded by the policy size limit, but a map that only grows is kept small anyway.
      if (this.built.size >= MAX_LENGTHS) this.built.clear()
      this.built.set(byteLength, headers)
    }
    return headers
  }

  /** The metric and the canonical log line the route would have written for this 200. */
  answered(
    t: Timing,
    found: Found,
    raw: string | undefined,
    method: string,
    requestId: string,
    peer: string | undefined,
  ): void {
    if (this.counted) {
      this.deps.metrics.countHttpRequest('policy', 200, policyDomainOf(found.host))
      this.deps.metrics.observePolicyFetch(secondsSince(t.began))
    }
    if (t.started !== null) {
      this.deps.log.info('request', {
        requestId,
        peer: plainAddress(peer),
        host: raw,
        method,
        path: POLICY_PATH,
        status: 200,
        ms: elapsedMs(t.started),
      })
    }
  }
}

/** Distinct body lengths whose header lines are kept (policies are short; lengths repeat). */
const MAX_LENGTHS = 1024
