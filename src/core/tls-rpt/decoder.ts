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
