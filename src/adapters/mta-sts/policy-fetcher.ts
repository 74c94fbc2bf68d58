/**
 * adapters/mta-sts: fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt` the way a sending
 * MTA does (RFC 8461 §3.2, §3.3), so what we serve can be compared with what senders get
 * (issue 13). The certificate is judged before a byte of the request is written; no redirect is
 * followed; the body is bounded in bytes and the whole fetch in time. The text is not parsed.
 */
import type { IncomingMessage } from 'node:http'
import { request } from 'node:https'
import { performance } from 'node:perf_hooks'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import { canonicalHost } from '../../core/canonical-host.js'
import { judgePeerCertificate } from '../smtp/peer-certificate.js'
import { safeText } from '../smtp/smtp-reply-reader.js'

/** Why a fetch failed: one member per rule a sender applies. */
export type PolicyFetchFailure =
  | 'bad-domain'
  | 'connect'
  | 'tls'
  | 'certificate-not-trusted'
  | 'certificate-host-mismatch'
  | 'certificate-expired'
  | 'certificate-invalid'
  | 'redirect'
  | 'status'
  | 'content-type'
  | 'too-large'
  | 'timeout'
  | 'http'

/** `text` is the body as sent, UTF-8 decoded; `ms` the fetch's duration. */
export type PolicyFetch =
  | { ok: true; text: string; ms: number }
  | { ok: false; reason: PolicyFetchFailure; detail: string; ms: number }

export interface PolicyFetchOptions {
  /** The policy domain; the host fetched is `mta-sts.<domain>`. */
  domain: string
  /** The moment certificate validity is judged at (default: the system clock). */
  now?: Date
  /** The whole fetch, connect to last body byte (default DEFAULT_FETCH_TIMEOUT_MS). */
  timeoutMs?: number
  /** PEM roots to trust instead of the system's. */
  ca?: string
  /** Default 443 (RFC 8461 §3.2); tests and labs use others. */
  port?: number
  /** Connect here instead of resolving the host; SNI and Host stay `mta-sts.<domain>`. */
  address?: string
}

/** The policy path (RFC 8461 §3.2). */
export const POLICY_PATH = '/.well-known/mta-sts.txt'
// A policy is a few hundred bytes; 64 KiB is the cap senders commonly apply, so a body past it is
// one senders reject too, and it bounds what a hostile server can make us hold.
export const MAX_POLICY_BYTES = 65_536
// Senders commonly give the whole HTTPS fetch a minute before giving up.
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000

// Letters, digits, hyphens, underscores and dots only: the name goes into SNI and a Host header.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/

class FetchFailure extends Error {
  constructor(
    readonly reason: PolicyFetchFailure,
    readonly detail: string,
  ) {
    super(detail)
  }
}

/** Fetches the MTA-STS policy of `opts.domain`; resolves with a result, never rejects. */
export async function fetchPolicy(opts: PolicyFetchOptions): Promise<PolicyFetch> {
  const started = performance.now()
  const ms = () => Math.round(performance.now() - started)
  try {
    const text = await fetchText(opts)
    return { ok: true, text, ms: ms() }
  } catch (error) {
    const failure =
      error instanceof FetchFailure ? error : new FetchFailure('http', 'internal error')
    return { ok: false, reason: failure.reason, detail: failure.detail, ms: ms() }
  }
}

function fetchText(opts: PolicyFetchOptions): Promise<string> {
  const host = `mta-sts.${canonicalHost(opts.domain)}`
  if (!HOST_NAME.test(host)) {
    return Promise.reject(new FetchFailure('bad-domain', 'not a domain name'))
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS
  const now = opts.now ?? new Date()

  return new Promise<string>((resolve, reject) => {
    let stage: 'connect' | 'tls' | 'http' = 'connect'
    let settled = false
    let socket: Duplex | undefined
    const finish = (error: FetchFailure | null, text = '') => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      // Nothing more is wanted from this server, whatever it still sends.
      req.destroy()
      socket?.destroy()
      if (error === null) resolve(text)
      else reject(error)
    }
    const deadline = setTimeout(
      () => finish(new FetchFailure('timeout', `no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    )

    const req = request({
      method: 'GET',
      path: POLICY_PATH,
      // A sender always uses port 443, so its Host header carries no port; ours neither.
      headers: { host, accept: 'text/plain', 'user-agent': 'policyhost-policy-fetcher' },
      // The connection is ours: the request is written only after the certificate passed.
      createConnection: (_options, oncreate) => {
        const tls = tlsConnect({
          host: opts.address ?? host,
          port: opts.port ?? 443,
          servername: host,
          ca: opts.ca,
          // RFC 8461 §4.2 and RFC 8996: nothing older than TLS 1.2.
          minVersion: 'TLSv1.2',
          ALPNProtocols: ['http/1.1'],
          // Judged below against `now`, so each failure keeps a reason of its own.
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
        })
        socket = tls
        tls.once('connect', () => (stage = 'tls'))
        tls.once('secureConnect', () => {
          // RFC 8461 §3.3: the certificate must be valid for the `mta-sts` host (RFC 6125),
          // chain to a trusted root and be unexpired.
          const verdict = judgePeerCertificate(tls, host, now)
          if (!verdict.ok)
            return finish(new FetchFailure(certificateReason(verdict), verdict.detail))
          stage = 'http'
          // From here the HTTP client reports an early close (as an error on req or res); a
          // close after a complete response is no failure.
          tls.off('close', closedEarly)
          oncreate(null, tls)
        })
        const closedEarly = () => finish(new FetchFailure(stage, 'connection closed'))
        tls.on('error', (e) => finish(new FetchFailure(stage, errorText(e))))
        tls.once('close', closedEarly)
        return undefined
      },
    })
    req.on('error', (e) => finish(new FetchFailure(stage, errorText(e))))
    req.once('response', (res) => {
      const refusal = judgeResponse(res)
      if (refusal !== null) return finish(refusal)
      readBody(res, (error, text) => finish(error, text))
    })
    req.end()
  })
}

/** The status and headers rules; null when the body is worth reading. */
function judgeResponse(res: IncomingMessage): FetchFailure | null {
  const status = res.statusCode ?? 0
  // RFC 8461 §3.3: HTTP 3xx redirects MUST NOT be followed.
  if (status >= 300 && status < 400) {
    const to = res.headers.location
    return new FetchFailure('redirect', safeText(`${status} to ${to ?? '(no Location)'}`))
  }
  // RFC 8461 §3.3: a policy is served with 200; anything else is no policy.
  if (status !== 200) return new FetchFailure('status', `status ${status}`)
  // RFC 8461 §3.2: the media type must be text/plain; its parameters (charset) are ignored.
  const type = res.headers['content-type'] ?? ''
  const essence = type.split(';')[0]!.trim().toLowerCase()
  if (essence !== 'text/plain') {
    return new FetchFailure('content-type', safeText(`Content-Type ${type || '(none)'}`))
  }
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > MAX_POLICY_BYTES) {
    return new FetchFailure('too-large', `Content-Length ${declared} > ${MAX_POLICY_BYTES}`)
  }
  return null
}

/** Reads at most MAX_POLICY_BYTES, failing as soon as one more byte arrives. */
function readBody(
  res: IncomingMessage,
  done: (error: FetchFailure | null, text?: string) => void,
): void {
  const chunks: Buffer[] = []
  let size = 0
  res.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > MAX_POLICY_BYTES) {
      return done(new FetchFailure('too-large', `body over ${MAX_POLICY_BYTES} bytes`))
    }
    chunks.push(chunk)
  })
  res.once('end', () => done(null, Buffer.concat(chunks).toString('utf8')))
  res.once('error', (e) => done(new FetchFailure('http', errorText(e))))
  res.once('aborted', () => done(new FetchFailure('http', 'connection closed mid-body')))
}

function certificateReason(
  verdict: Exclude<ReturnType<typeof judgePeerCertificate>, { ok: true }>,
): PolicyFetchFailure {
  return verdict.resultType === 'validation-failure' ? 'certificate-invalid' : verdict.resultType
}

function errorText(error: Error): string {
  const code = (error as { code?: string }).code
  return safeText(code === undefined ? error.message : `${code}: ${error.message}`)
}
