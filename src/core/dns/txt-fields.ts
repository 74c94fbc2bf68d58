import type { FieldIssue } from '../errors.js'

/**
 * The field grammar that `_mta-sts` (RFC 8461 §3.1) and `_smtp._tls` (RFC 8460 §3) records
 * share: a version, then `;`-separated `name=value` fields, with an optional final `;`.
 */

// RFC 8461 §3.1 sts-ext-name, RFC 8460 §3 tlsrpt-ext-name:
// (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."); %s"id=" and %s"rua=" fit it too.
const FIELD = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=(.*)$/s
// RFC 8461 §3.1 sts-ext-value, RFC 8460 §3 tlsrpt-ext-value: VCHAR except "=" and ";"
const EXT_VALUE = /^[\x21-\x3A\x3C\x3E-\x7E]+$/
// RFC 5234 Appendix B.1: WSP = SP / HTAB, around every field-delim.
const WSP = /^[ \t]+|[ \t]+$/g

/** A record's fields, first occurrence of each name only, in order. */
export interface TxtFields {
  fields: Map<string, string>
  /** Names that occur more than once; every occurrence but the first is ignored. */
  duplicates: string[]
}

/** Whether a record's text begins as `version` followed by the first `;`. */
function versionIssue(record: string, version: string): string | null {
  if (!record.startsWith(version)) return `must begin with "${version}"`
  const after = record.slice(version.length)
  // RFC 8461 §3.1 / RFC 8460 §3: senders discard records that do not begin with "<version>;",
  // although field-delim allows spaces before ";" (RFC 8461 erratum 6285 reports the clash).
  if (after.startsWith(';')) return null
  return /^[ \t]*;/.test(after)
    ? `must begin with "${version};": senders discard a record with a space before ";"`
    : `must begin with "${version};"`
}

/**
 * Splits a record into its fields after checking the version, reporting every malformed field
 * at `field.<n>` (1-based, the version being field 1). Returns null when the record does not
 * start with the version at all: it is some other record, and nothing in it is worth reading.
 */
export function splitTxtFields(
  record: string,
  version: string,
  issues: FieldIssue[],
): TxtFields | null {
  const problem = versionIssue(record, version)
  if (problem !== null) issues.push({ path: 'v', message: problem })
  if (!record.startsWith(version) || !/^[ \t]*(;|$)/.test(record.slice(version.length))) {
    return null
  }
  const fields = new Map<string, string>()
  const duplicates = new Set<string>()
  const parts = record.slice(version.length).split(';').slice(1)
  parts.forEach((raw, index) => {
    const part = raw.replace(WSP, '')
    const path = `field.${index + 2}`
    // RFC 8461 §3.1, RFC 8460 §3: one optional field-delim may end the record.
    if (part === '') {
      if (index < parts.length - 1) issues.push({ path, message: 'is empty (";;")' })
      return
    }
    const [, name = '', value = ''] = FIELD.exec(part) ?? []
    if (name === '') {
      issues.push({ path, message: `"${part}" is not a name=value field` })
    } else if (fields.has(name)) {
      // RFC 8461 §3.2, in the paragraph on parsing TXT records and policy files alike: "If
      // any non-repeated field ... is duplicated, all entries except for the first SHALL be
      // ignored." RFC 8460 says nothing of duplicates; the sibling rule is applied.
      duplicates.add(name)
    } else fields.set(name, value)
  })
  return { fields, duplicates: [...duplicates] }
}

/** The fields other than `known`, each checked against the extension value grammar. */
export function extensionFields(
  fields: Map<string, string>,
  known: readonly string[],
  issues: FieldIssue[],
): Record<string, string> {
  const extensions = [...fields].filter(([name]) => !known.includes(name))
  for (const [name, value] of extensions) {
    // RFC 8461 §3.1 / RFC 8460 §3: unknown fields are ignored, but must still be well-formed.
    if (!EXT_VALUE.test(value)) {
      issues.push({
        path: name,
        message: 'an extension value is printable ASCII without "=", ";" or spaces',
      })
    }
  }
  return Object.fromEntries(extensions)
}
