import type { DnsRecord } from './records.js'

// RFC 1035 §3.3: a <character-string> is one length octet followed by at most 255 octets.
const MAX_STRING_OCTETS = 255

function utf8Octets(codePoint: number): number {
  if (codePoint < 0x80) return 1
  if (codePoint < 0x800) return 2
  return codePoint < 0x10000 ? 3 : 4
}

/** Splits a TXT value into character-strings of at most 255 UTF-8 octets, never inside a char. */
export function splitTxt(value: string): string[] {
  // RFC 1035 §3.3.14: TXT-DATA is one or more <character-string>s
  const chunks: string[] = []
  let chunk = ''
  let octets = 0
  for (const char of value) {
    const size = utf8Octets(char.codePointAt(0) ?? 0)
    if (octets + size > MAX_STRING_OCTETS) {
      chunks.push(chunk)
      chunk = ''
      octets = 0
    }
    chunk += char
    octets += size
  }
  chunks.push(chunk)
  return chunks
}

/** Quotes one character-string for a zone file, escaping backslash and double quote. */
export function quoteTxt(chunk: string): string {
  // RFC 1035 §5.1: "\X" stands for X, so the quote and the backslash itself need escaping
  return `"${chunk.replace(/[\\"]/g, (char) => `\\${char}`)}"`
}

/**
 * Renders records as a BIND zone fragment, each preceded by a comment with its purpose; warnings
 * (why the records may not work for outsiders) come first, as comments a zone loader ignores.
 */
export function renderBind(
  records: DnsRecord[],
  warnings: readonly string[] = [],
  opts: { ttl?: number } = {},
): string {
  const ttl = opts.ttl === undefined ? '' : ` ${opts.ttl}`
  const head = warnings.map((w) => `; WARNING: ${w.replace(/[\r\n]+/g, ' ')}\n`).join('')
  return (
    (head ? head + '\n' : '') +
    records
      .map((record) => {
        const value =
          record.type === 'TXT' ? splitTxt(record.value).map(quoteTxt).join(' ') : record.value
        // RFC 1035 §5.1: a trailing dot makes the owner name absolute, independent of $ORIGIN
        return `; ${record.purpose}\n${record.name}.${ttl} IN ${record.type} ${value}\n`
      })
      .join('\n')
  )
}
