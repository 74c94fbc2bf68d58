import type { FieldIssue } from '../errors.js'
import type { NormalizedReport } from './report.js'

/** RFC 8460 §6.4, §6.5: the two media types a report may arrive as (parameters stripped). */
export type ReportMediaType = 'application/tlsrpt+json' | 'application/tlsrpt+gzip'

export type DecodedReport =
  { ok: true; json: unknown; text: string } | { ok: false; status: 400 | 413 | 415; reason: string }

/** Bytes to I-JSON with size caps (an adapter: it inflates gzip). */
export type ReportDecoder = (
  body: Uint8Array,
  mediaType: ReportMediaType,
  limits: { maxDecompressed: number },
) => DecodedReport

/**
 * Bytes to a validated report: decode (inflate, I-JSON) then parse and normalize (RFC 8460 §4).
 * Asynchronous because it runs off the serving loop (a worker); a refusal carries its status.
 */
export type ReportProcessor = (
  body: Uint8Array,
  mediaType: ReportMediaType,
  limits: { maxDecompressed: number },
) => Promise<ProcessedReport>

export type ProcessedReport =
  | { ok: true; report: NormalizedReport; warnings: string[] }
  | { ok: false; status: 400 | 413 | 415; reason: string; issues?: FieldIssue[] }
