/**
 * Shapes shared by the BIMI parts: the SVG Tiny PS verdict, the conversion result and the mark
 * certificate (VMC/CMC) inspection. Rules cite draft-svg-tiny-ps-abrotman and the BIMI drafts.
 */

/** SVG-PS §2.4 (as quoted): "SHOULD NOT exceed 32 kilobytes"; receivers cap at 32 768 bytes. */
export const MAX_LOGO_BYTES = 32_768

export type Severity = 'error' | 'warning'

/** One finding about a logo, addressed by element path (e.g. `/svg/g[2]/image`). */
export interface SvgIssue {
  /** Stable rule id, e.g. `root-version`, `forbidden-element`, `external-reference`. */
  rule: string
  severity: Severity
  /** XPath-like element path; `/` for document-level findings. */
  path: string
  message: string
  /** Where the rule comes from, e.g. `SVG-PS §2.1 (schema)`, `BIMI guidance`. */
  source: string
}

export interface SvgVerdict {
  /** True when there is no error (warnings allowed). */
  valid: boolean
  errors: SvgIssue[]
  warnings: SvgIssue[]
}

export interface ConversionResult {
  /** The converted document (UTF-8 text). */
  svg: string
  /** Every change made, one line each, in the order made. */
  changes: string[]
  /** The verdict on the converted document. */
  verdict: SvgVerdict
}

export interface MarkCertificateReport {
  /** True when there is no error. */
  ok: boolean
  errors: SvgIssue[]
  warnings: SvgIssue[]
  subject: string | null
  issuer: string | null
  notBefore: Date | null
  notAfter: Date | null
  /** DNS names in the SAN of the leaf. */
  sanDnsNames: string[]
  /** The SVG embedded in the logotype extension (RFC 3709), uncompressed, if any. */
  embeddedSvg: string | null
  /** Whether the embedded SVG equals the hosted logo (null when no logo to compare). */
  matchesLogo: boolean | null
}

/**
 * Who a job is for: the tenant id, or a key such as `operator`. Heavy jobs run in a worker pool
 * with a bounded queue per owner, so one tenant cannot delay the others (issue 9 point 2).
 */
export interface JobOwner {
  owner: string
}

export interface MarkCertificateOptions {
  /** The assertion record's domain, lower-case A-labels. */
  domain: string
  selector: string
  now: Date
  /** The hosted logo to compare with, or null when there is none yet. */
  logoSvg: string | null
}

/**
 * Turns an ordinary SVG into SVG Tiny PS (svgo, off the serving loop). Rejects with a
 * DomainError for input it refuses or that passes a job limit; anything else is a bug.
 */
export type SvgConverter = (
  svg: string,
  opts: { title?: string } & JobOwner,
) => Promise<ConversionResult>

/** Validates a logo against SVG Tiny PS (off the serving loop). */
export type SvgValidator = (svg: Uint8Array, opts: JobOwner) => Promise<SvgVerdict>

/** Inspects a mark certificate chain against the domain and the hosted logo (X.509 adapter). */
export type MarkCertificateInspector = (
  pem: string,
  opts: MarkCertificateOptions & JobOwner,
) => Promise<MarkCertificateReport>
