/**
 * adapters/mail: turns files an operator imports into report bodies — `.json`, `.json.gz`, or
 * a whole `.eml` whose attachments are reports (RFC 8460 §5.3: application/tlsrpt+gzip or
 * +json). MIME is parsed with postal-mime, never by hand.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import PostalMime from 'postal-mime'
import type { ReportMediaType } from '../../core/tls-rpt/decoder.js'

export interface ReportFile {
  /** `file` or `file#attachment-name`, for messages. */
  name: string
  body: Uint8Array
  media: ReportMediaType
}

const GZIP: ReportMediaType = 'application/tlsrpt+gzip'
const JSON_TYPE: ReportMediaType = 'application/tlsrpt+json'

function mediaOf(name: string, mimeType: string): ReportMediaType | null {
  const type = mimeType.toLowerCase()
  if (type === GZIP || type === 'application/gzip' || name.endsWith('.gz')) return GZIP
  if (type === JSON_TYPE || type === 'application/json' || name.endsWith('.json')) return JSON_TYPE
  return null
}

/** The report bodies in one file; a message without a report attachment yields none. */
export async function readReportFile(path: string): Promise<ReportFile[]> {
  const bytes = new Uint8Array(await readFile(path))
  const name = basename(path)
  if (!name.toLowerCase().endsWith('.eml')) {
    const media = mediaOf(name.toLowerCase(), '')
    if (!media) throw new Error(`${name}: not .json, .json.gz or .eml`)
    return [{ name, body: bytes, media }]
  }
  const message = await PostalMime.parse(bytes)
  return message.attachments.flatMap((a) => {
    const media = mediaOf((a.filename ?? '').toLowerCase(), a.mimeType)
    if (!media) return []
    const content =
      typeof a.content === 'string'
        ? new TextEncoder().encode(a.content)
        : new Uint8Array(a.content)
    return [{ name: `${name}#${a.filename ?? 'attachment'}`, body: content, media }]
  })
}
