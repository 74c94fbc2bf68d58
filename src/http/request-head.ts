/**
 * The one request head the policy front answers without node's HTTP parser: `GET` or `HEAD` of
 * the policy path in HTTP/1.1, complete in the bytes at hand. The grammar is RFC 9112's, read
 * strictly; whatever it does not accept — a partial head, obs-fold, obs-text, bare LF, a body
 * (Content-Length, Transfer-Encoding), Expect, Upgrade, an absolute-form target — is "other",
 * which node's own parser then reads from the same bytes. So nothing node would refuse (or read
 * differently) is ever answered here: a request smuggled past one parser is not answered by the
 * other.
 */
import { POLICY_PATH } from './public.js'

export type HeadScan =
  | {
      kind: 'policy'
      method: 'GET' | 'HEAD'
      /** The Host field's value (OWS trimmed, RFC 9110 §5.5); exactly one Host was sent. */
      host: string
      /** X-Request-Id's value when sent once. */
      requestId?: string
      /** `Connection: close` (RFC 9112 §9.6): answer, then close. */
      close: boolean
      /** Offset just past the head's empty line, where the next pipelined request starts. */
      end: number
    }
  | { kind: 'other' }

/** Longer heads are node's (its limit is 16 KiB); senders send a few hundred bytes. */
export const MAX_HEAD_BYTES = 8192

const OTHER = { kind: 'other' } as const
const CR = 0x0d
const LF = 0x0a
const COLON = 0x3a
const SP = 0x20
const HTAB = 0x09

/** tchar (RFC 9110 §5.6.2) by byte. */
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1
}

const GET_LINE = Buffer.from(`GET ${POLICY_PATH} HTTP/1.1\r\n`, 'latin1')
const HEAD_LINE = Buffer.from(`HEAD ${POLICY_PATH} HTTP/1.1\r\n`, 'latin1')

/** Fields whose presence means the request is not the plain fetch (a body, a protocol switch). */
const NOT_PLAIN = new Set(['content-length', 'transfer-encoding', 'expect', 'upgrade', 'te'])

/** Reads the request head starting at `start` of `buf`. */
export function scanHead(buf: Buffer, start: number): HeadScan {
  const method = startsWith(buf, start, GET_LINE)
    ? 'GET'
    : startsWith(buf, start, HEAD_LINE)
      ? 'HEAD'
      : null
  if (method === null) return OTHER
  let pos = start + (method === 'GET' ? GET_LINE.length : HEAD_LINE.length)
  const limit = Math.min(buf.length, start + MAX_HEAD_BYTES)
  let host: string | undefined
  let hosts = 0
  let requestId: string | undefined
  let ids = 0
  let close = false
  for (;;) {
    if (pos + 1 >= limit) return OTHER
    if (buf[pos] === CR && buf[pos + 1] === LF) break
    // field-name: one or more tchar, then the colon with no whitespace before it (§5.1).
    const nameStart = pos
    while (pos < limit && buf[pos]! < 128 && TCHAR[buf[pos]!] === 1) pos++
    if (pos === nameStart || pos >= limit || buf[pos] !== COLON) return OTHER
    const nameEnd = pos++
    // field-value: VCHAR, SP and HTAB only; OWS around it is not part of it (RFC 9110 §5.5).
    while (pos < limit && (buf[pos] === SP || buf[pos] === HTAB)) pos++
    const valueStart = pos
    let valueEnd = pos
    for (;;) {
      if (pos >= limit) return OTHER
      const b = buf[pos]!
      if (b === CR) break
      if (b === SP || b === HTAB) {
        pos++
        continue
      }
      if (b < 0x21 || b > 0x7e) return OTHER
      valueEnd = ++pos
    }
    if (pos + 1 >= limit || buf[pos + 1] !== LF) return OTHER
    pos += 2
    const name = buf.toString('latin1', nameStart, nameEnd).toLowerCase()
    if (NOT_PLAIN.has(name)) return OTHER
    if (name === 'host') {
      hosts++
      host = buf.toString('latin1', valueStart, valueEnd)
    } else if (name === 'x-request-id') {
      ids++
      requestId = buf.toString('latin1', valueStart, valueEnd)
    } else if (name === 'connection') {
      const value = buf.toString('latin1', valueStart, valueEnd).toLowerCase()
      if (value === 'close') close = true
      else if (value !== 'keep-alive') return OTHER
    }
  }
  // Two Host fields are a 400 and none is a 400 (RFC 9112 §3.2): node's and hono's to answer.
  if (hosts !== 1 || host === undefined) return OTHER
  return {
    kind: 'policy',
    method,
    host,
    ...(ids === 1 ? { requestId } : {}),
    close,
    end: pos + 2,
  }
}

function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  return (
    buf.length - at >= prefix.length &&
    buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  )
}
