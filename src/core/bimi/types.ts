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

/** Turns an ordinary SVG into SVG Tiny PS (svgo adapter). Throws on input it refuses. */
export type SvgConverter = (svg: string, opts: { title?: string }) => ConversionResult

/** Inspects a mark certificate chain against the domain and the hosted logo (X.509 adapter). */
export type MarkCertificateInspector = (
  pem: string,
  opts: { domain: string; selector: string; now: Date; logoSvg: string | null },
) => MarkCertificateReport
