/**
 * The whole CPU-heavy part of receiving a TLS report, in one synchronous function so that a
 * worker can run it: inflate and I-JSON checks (decode.ts), the RFC 8460 §4 schema and
 * normalization, the bounded stored form and the health tally (core). The serving loop only
 * sees the small result; the whole parsed report never leaves this function.
 */
import { boundReport } from '../../core/tls-rpt/bound.js'
import { gunzipSync } from 'node:zlib'
import type { ProcessedReport, ProcessLimits, ReportMediaType } from '../../core/tls-rpt/decoder.js'
import { parseReport } from '../../core/tls-rpt/report.js'
import { tallyReport } from '../../core/tls-rpt/tally.js'
import { decodeReport } from './decode.js'

/** Bytes → a validated, bounded report with its tallies, or the refusal with its HTTP status. */
export function processReport(
  body: Uint8Array,
  media: ReportMediaType,
  limits: ProcessLimits,
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
  return {
    ok: true,
    report: boundReport(parsed.report, limits.store),
    warnings: parsed.warnings,
    tallies: tallyReport(parsed.report),
  }
}

/** A stored raw report (gzip) as the text received; as big as TLSRPT_MAX_DECOMPRESSED. */
export function rawReportText(gzipped: Uint8Array): string {
  return new TextDecoder().decode(gunzipSync(gzipped))
}
