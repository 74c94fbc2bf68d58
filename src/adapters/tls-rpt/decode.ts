import { gunzipSync } from 'node:zlib'
import { findIJsonProblem } from './i-json.js'

/** RFC 8460 §6.4, §6.5: the two media types a report may arrive as (parameters stripped). */
export type ReportMediaType = 'application/tlsrpt+json' | 'application/tlsrpt+gzip'

export type DecodedReport =
  { ok: true; json: unknown; text: string } | { ok: false; status: 400 | 413 | 415; reason: string }

export interface DecodeLimits {
  /** Largest report text accepted, in bytes after inflating (specs B.4 suggest 10 MiB). */
  maxDecompressed: number
}

// RFC 1952 §2.3.1: ID1 ID2 of every gzip member.
const GZIP_MAGIC = [0x1f, 0x8b]
const UTF8_BOM = [0xef, 0xbb, 0xbf]

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte)
}

const refuse = (status: 400 | 413 | 415, reason: string): DecodedReport => ({
  ok: false,
  status,
  reason,
})

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'unknown error'
}

function inflate(body: Uint8Array, max: number): Uint8Array | DecodedReport {
  // RFC 8460 §6.5: application/tlsrpt+gzip starts with the gzip magic 1f 8b.
  if (!startsWith(body, GZIP_MAGIC)) return refuse(400, 'the body is not gzip (no 1f 8b magic)')
  let inflated: Uint8Array
  try {
    // maxOutputLength is checked chunk by chunk while inflating, so a bomb stops at the cap
    // after a few milliseconds instead of filling memory first.
    inflated = gunzipSync(body, { maxOutputLength: max })
  } catch (error) {
    if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE') {
      return refuse(413, `the report inflates to more than ${max} bytes (maxOutputLength)`)
    }
    return refuse(400, `the gzip data is corrupt (${errorCode(error)})`)
  }
  // Specs B.4: one gzip layer only; a second one is never a report text.
  if (startsWith(inflated, GZIP_MAGIC)) return refuse(400, 'the report is gzipped twice')
  return inflated
}

function jsonPosition(error: unknown): string {
  // V8 names the offset; the rest of its message quotes attacker text, which we do not echo.
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '')
  return match ? ` at position ${match[1]}` : ''
}

/** Turns a posted report body into I-JSON (RFC 8460 §4, §5.4), refusing with an HTTP status. */
export function decodeReport(
  body: Uint8Array,
  mediaType: ReportMediaType,
  limits: DecodeLimits,
): DecodedReport {
  let bytes = body
  if (mediaType === 'application/tlsrpt+gzip') {
    const inflated = inflate(body, limits.maxDecompressed)
    if (!(inflated instanceof Uint8Array)) return inflated
    bytes = inflated
  } else if (mediaType !== 'application/tlsrpt+json') {
    // Callers are typed, but the value comes from a header: refuse anything else at run time.
    return refuse(415, 'the media type must be application/tlsrpt+json or application/tlsrpt+gzip')
  } else if (body.byteLength > limits.maxDecompressed) {
    return refuse(413, `the report is larger than ${limits.maxDecompressed} bytes`)
  }
  // RFC 7493 §2.1: I-JSON "MUST NOT begin with a byte order mark". Recipients MAY ignore one,
  // but no reporter we know sends it, so a clear 400 serves a broken sender better.
  if (startsWith(bytes, UTF8_BOM)) return refuse(400, 'the report begins with a byte order mark')
  let text: string
  try {
    // RFC 7493 §2.1: UTF-8 only; fatal refuses invalid sequences, overlongs and encoded surrogates;
    // ignoreBOM keeps a BOM in view (it was refused above).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return refuse(400, 'the report is not valid UTF-8')
  }
  const problem = findIJsonProblem(text)
  // The depth cap goes first so JSON.parse never builds a pathologically deep tree.
  if (problem?.rule === 'depth') return refuse(400, `the report ${problem.reason}`)
  let json: unknown
  try {
    // RFC 8259 via JSON.parse: no trailing data, no comments, no single quotes.
    json = JSON.parse(text)
  } catch (error) {
    return refuse(400, `the report is not valid JSON${jsonPosition(error)}`)
  }
  // After JSON.parse, so a syntax error is named as such and not as what the scan met first.
  if (problem !== null) return refuse(400, `the report ${problem.reason}`)
  return { ok: true, json, text }
}
