import type { TlsHealth } from './health.js'
import type { HealthQuery } from './stored-health.js'
import type { FieldIssue } from '../errors.js'
import type { BoundedReport, StoreBounds } from './bound.js'
import type { ReportTally } from './tally.js'

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

/** Plain data, so that it crosses to a worker: the inflate cap and what is stored. */
export interface ProcessLimits {
  maxDecompressed: number
  store: StoreBounds
}

/**
 * Bytes to a validated report: decode (inflate, I-JSON) then parse and normalize (RFC 8460 §4),
 * then bound it for storage and tally it for the health view; only that small result leaves.
 * Asynchronous because it runs off the serving loop (a worker); a refusal carries its status.
 */
/**
 * The health view (stored-health.ts): the rows read and added up off the serving loop, since a
 * year of a quota-filled domain is hundreds of thousands of rows; `owner` queues it.
 */
export type HealthAggregator = (query: HealthQuery, owner: string) => Promise<TlsHealth>

/** A stored raw report (gzip) as the text received, off the serving loop; `owner` queues it. */
export type RawReportReader = (gzipped: Uint8Array, owner: string) => Promise<string>

export type ReportProcessor = (
  body: Uint8Array,
  mediaType: ReportMediaType,
  limits: ProcessLimits,
  /** Whose queue the job waits in: the tenant of the report's endpoint (or the operator). */
  owner: string,
) => Promise<ProcessedReport>

export interface ProcessedOk {
  ok: true
  /** The stored parsed form: bounded, with what is beyond summed (bound.ts). */
  report: BoundedReport
  warnings: string[]
  /** Per policy domain of the whole report (first-seen order): its sums for the health view. */
  tallies: Array<{ domain: string; tally: ReportTally }>
}

export type ProcessedReport =
  ProcessedOk | { ok: false; status: 400 | 413 | 415; reason: string; issues?: FieldIssue[] }
