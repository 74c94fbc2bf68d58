/**
 * adapters/vmc: does the SVG in the certificate equal the logo we host? BIMI §8.9 makes receivers
 * check that the two are "identical"; when they are not, providers show no logo at all.
 */
import type { SvgIssue } from '../../core/bimi/types.js'
import { finding, VMC_DRAFT } from './finding.js'

const BIMI_IDENTICAL = `draft-brand-indicators-for-message-identification §8.9; ${VMC_DRAFT} §5.3`

// Not fatal: a certificate's SVG in another encoding must still be shown to the user.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/**
 * The form two logos are compared in when their bytes differ. Deliberately small: a BOM, line
 * endings (CRLF/CR → LF), trailing whitespace on each line, blank lines at either end and the
 * XML declaration (present or not, any quoting or encoding label) are ignored; everything else,
 * attribute order and whitespace inside tags included, must be equal. Both sides are read as
 * UTF-8, so a declaration naming another encoding cannot hide a difference in the text.
 */
export function canonicalSvg(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*<\?xml\b[^>]*\?>/, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim()
}

export interface LogoMatch {
  matches: boolean
  issues: SvgIssue[]
}

/** Compares the embedded SVG bytes with the hosted logo: byte-identical, canonical, or neither. */
export function matchLogo(embedded: Buffer, hosted: string, path: string): LogoMatch {
  if (embedded.equals(Buffer.from(hosted, 'utf8'))) return { matches: true, issues: [] }
  if (canonicalSvg(utf8.decode(embedded)) === canonicalSvg(hosted)) {
    const message =
      'the hosted logo equals the certificate SVG only after normalising line endings, trailing ' +
      'whitespace or the XML declaration; receivers comparing bytes may show nothing, so host ' +
      'the exact SVG from the certificate'
    return {
      matches: true,
      issues: [finding('vmc-logotype-canonical', 'warning', path, message, BIMI_IDENTICAL)],
    }
  }
  const message =
    'the SVG in the certificate differs from the hosted logo; providers show nothing when they ' +
    'differ, so host the SVG the certificate was issued for (or have the certificate reissued)'
  return {
    matches: false,
    issues: [finding('vmc-logotype-mismatch', 'error', path, message, BIMI_IDENTICAL)],
  }
}

/** The embedded SVG as text for display; invalid UTF-8 shows as U+FFFD. */
export const svgText = (bytes: Buffer): string => utf8.decode(bytes)
