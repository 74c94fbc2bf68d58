/**
 * adapters/webhooks: delivers one signed alert webhook (issue 13) to a tenant's URL. The URL is
 * the tenant's and tenants are attackers: the host is resolved once, every address checked
 * (address-policy.ts), and the connection pinned to the checked addresses so that a second,
 * different DNS answer (rebinding) cannot steer it elsewhere. Redirects are never followed and
 * the response body is read only up to a cap, never returned or logged.
 */
import { createHmac } from 'node:crypto'
import { lookup as dnsLookup } from 'node:dns/promises'
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import type {
  WebhookDelivery,
  DeliveryResult,
  WebhookSender,
} from '../../core/alerts/alert-ports.js'
import { isPublicAddress } from './address-policy.js'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

export interface WebhookSenderOptions {
  /** Lets webhooks reach loopback and private networks, and use `http:`: tests and labs only. */
  allowPrivateAddresses: boolean
  /** Budget for the whole attempt: resolution, connect, TLS, request and response. */
  timeoutMs: number
  /** Response bytes read before the connection is dropped (default 16 KiB). */
  maxResponseBytes?: number
  userAgent: string
  /** Resolves a host name to every address (default: the system resolver, `all: true`). */
  lookup?: (host: string) => Promise<ResolvedAddress[]>
  /** PEM roots replacing the system's, for tests and labs with their own CA. */
  ca?: string
}

/** Enough for any acknowledgement; read only so the exchange ends cleanly, then dropped. */
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024

type Failure = Omit<Extract<DeliveryResult, { ok: false }>, 'ms'>
type Outcome = { ok: true; status: number } | Failure

interface Target {
  https: boolean
  /** The URL's host name, IPv6 literals without brackets: SNI and certificate name. */
  host: string
  /** `host[:port]` exactly as in the URL. */
  hostHeader: string
  port: number
  path: string
}

/**
 * The `X-Policyhost-Signature` value: `sha256=` and the hex HMAC-SHA256, keyed with the
 * webhook's secret, of `<X-Policyhost-Timestamp>.<raw body>`.
 *
 * How a receiver verifies a delivery (the scheme of GitHub's X-Hub-Signature-256 and Stripe's
 * Stripe-Signature):
 * 1. take the raw body bytes as received, before any JSON parsing;
 * 2. compute this value from the X-Policyhost-Timestamp header, a `.` and that body, with its
 *    own copy of the secret, and compare it with the header in constant time
 *    (`crypto.timingSafeEqual`);
 * 3. reject a timestamp more than a few minutes from its own clock: the timestamp is inside the
 *    MAC, so a captured delivery cannot be replayed later under a fresh timestamp;
 * 4. drop an X-Policyhost-Delivery id it has already handled: retries of one alert reuse it.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/** A sender that posts each delivery once and reports what happened; it never rejects. */
export function webhookSender(opts: WebhookSenderOptions): WebhookSender {
  const lookup = opts.lookup ?? systemLookup
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES

  async function attempt(delivery: WebhookDelivery, deadline: number): Promise<Outcome> {
    const target = parseTarget(delivery.url, opts.allowPrivateAddresses)
    if ('reason' in target) return target
    const seconds = Math.floor(delivery.at.getTime() / 1000)
    if (!Number.isFinite(seconds)) return refused('invalid timestamp')
    const timestamp = String(seconds)

    const literal = isIP(target.host)
    const resolving =
      literal === 0 ? lookup(target.host) : Promise.resolve([{ address: target.host }])
    const answer = await beforeDeadline(resolving, deadline)
    if (answer === 'timeout') return TIMED_OUT
    if (answer === 'failed') return { ok: false, reason: 'dns lookup failed', retryable: true }
    // The family is taken from the address itself, not from what the resolver claimed.
    const addresses = answer.flatMap(({ address }): ResolvedAddress[] => {
      const family = isIP(address)
      return family === 0 ? [] : [{ address, family: family === 6 ? 6 : 4 }]
    })
    if (addresses.length === 0) return { ok: false, reason: 'no address', retryable: true }
    // Every address, not just the first: the connection may fall back to any of them.
    if (!opts.allowPrivateAddresses && !addresses.every((a) => isPublicAddress(a.address))) {
      return refused('address not allowed')
    }
    const headers = {
      Host: target.hostHeader,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(delivery.body)),
      'User-Agent': opts.userAgent,
      'X-Policyhost-Delivery': delivery.deliveryId,
      'X-Policyhost-Timestamp': timestamp,
      'X-Policyhost-Signature': signature(delivery.secret, timestamp, delivery.body),
    }
    return post(target, addresses, headers, delivery.body, deadline - performance.now())
  }

  function post(
    target: Target,
    addresses: ResolvedAddress[],
    headers: Record<string, string>,
    body: string,
    remainingMs: number,
  ): Promise<Outcome> {
    // Hands the connection the addresses already checked: no second resolution (DNS rebinding).
    const pinned: LookupFunction = (_host, options, callback) => {
      if (options.all)
        callback(
          null,
          addresses.map((a) => ({ ...a })),
        )
      else callback(null, addresses[0]!.address, addresses[0]!.family)
    }
    return new Promise<Outcome>((resolve) => {
      let req: ClientRequest | undefined
      let settled = false
      let answered: Outcome | undefined
      const finish = (outcome: Outcome): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        req?.destroy()
        resolve(outcome)
      }
      // A status already received stands even if the rest of the body is slow.
      const timer = setTimeout(() => finish(answered ?? TIMED_OUT), Math.max(0, remainingMs))
      try {
        req = (target.https ? httpsRequest : httpRequest)({
          method: 'POST',
          host: target.host,
          port: target.port,
          path: target.path,
          headers,
          lookup: pinned,
          // A fresh connection per delivery: nothing pooled is shared between tenants.
          agent: false,
          ...(target.https
            ? { servername: isIP(target.host) === 0 ? target.host : undefined, ca: opts.ca }
            : {}),
        })
      } catch {
        // node refuses header values with control characters (a malformed delivery id).
        finish(refused('invalid request'))
        return
      }
      req.on('error', (error) => finish(answered ?? connectionFailed(error)))
      req.on('response', (res: IncomingMessage) => {
        const outcome = classify(res.statusCode ?? 0)
        answered = outcome
        let read = 0
        res.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read >= maxResponseBytes) finish(outcome)
        })
        res.on('end', () => finish(outcome))
        res.on('close', () => finish(outcome))
        res.on('error', () => finish(outcome))
      })
      req.end(body)
    })
  }

  return {
    async send(delivery) {
      const started = performance.now()
      let outcome: Outcome
      try {
        outcome = await attempt(delivery, started + opts.timeoutMs)
      } catch {
        outcome = { ok: false, reason: 'internal error', retryable: true }
      }
      return { ...outcome, ms: Math.round(performance.now() - started) }
    },
  }
}

const TIMED_OUT: Failure = { ok: false, reason: 'timed out', retryable: true }

function refused(reason: string): Failure {
  return { ok: false, reason, retryable: false }
}

function parseTarget(raw: string, allowPlainHttp: boolean): Target | Failure {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return refused('invalid url')
  }
  const https = url.protocol === 'https:'
  if (!https && !(allowPlainHttp && url.protocol === 'http:')) return refused('scheme not allowed')
  // Credentials would be sent to (and logged by) whoever the URL points at: refuse, not strip.
  if (url.username !== '' || url.password !== '') return refused('credentials in url not allowed')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') return refused('invalid url')
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port)
  return { https, host, hostHeader: url.host, port, path: `${url.pathname}${url.search}` }
}

function classify(status: number): Outcome {
  if (status >= 200 && status < 300) return { ok: true, status }
  if (status >= 300 && status < 400) {
    return { ok: false, reason: 'redirect not followed', status, retryable: false }
  }
  if (status === 429) return { ok: false, reason: 'rate limited', status, retryable: true }
  return { ok: false, reason: `http ${status}`, status, retryable: status >= 500 && status < 600 }
}

/** Only node's own error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`): never a message or stack. */
function connectionFailed(error: Error): Failure {
  const code = (error as NodeJS.ErrnoException).code
  const safe = typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)
  return {
    ok: false,
    reason: safe ? `connection failed (${code})` : 'connection failed',
    retryable: true,
  }
}

async function systemLookup(host: string): Promise<ResolvedAddress[]> {
  const found = await dnsLookup(host, { all: true, verbatim: true })
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }))
}

async function beforeDeadline<T>(
  work: Promise<T>,
  deadline: number,
): Promise<T | 'failed' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - performance.now()))
  })
  try {
    return await Promise.race([work.catch(() => 'failed' as const), late])
  } finally {
    clearTimeout(timer)
  }
}
