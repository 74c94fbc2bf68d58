/**
 * The whole CPU-heavy part of receiving a TLS report, in one synchronous function so that a
 * worker can run it: inflate and I-JSON checks (decode.ts), then the RFC 8460 §4 schema and
 * normalization (core). The serving loop only sees the result.
 */
import type { ProcessedReport, ReportMediaType } from '../../core/tls-rpt/decoder.js'
import { parseReport } from '../../core/tls-rpt/report.js'
import { decodeReport } from './decode.js'

/** Bytes → a validated, normalized report, or the refusal with its HTTP status. */
export function processReport(
  body: Uint8Array,
  media: ReportMediaType,
  limits: { maxDecompressed: number },
): ProcessedReport {
  const decoded = decodeReport(body, media, limits)
  if (!decoded.ok) return decoded
  const parsed = parseReport(decoded.json)
  if (!parsed.ok) {
    return {
      ok: false,
      status: 400,
      reason: 'not a valid TLS report (RFC 8460 §4)',
      issues: parsed.issues,
    }
  }
  return parsed
}
