import type { Checked, FieldIssue } from '../errors.js'
import { normalizeHostname } from '../domain-name.js'

/**
 * The BIMI Assertion Record at `<selector>._bimi.<domain>` (draft-brand-indicators-for-message-
 * identification §4.2, "BIMI §4.2" below), rendered and parsed. Its tags follow DKIM's tag-value
 * syntax (RFC 6376 §3.2).
 */

/** A BIMI Assertion Record as parsed. */
export interface BimiRecord {
  /** `l=`: the logo's https URL, or null when empty (declining to publish, BIMI §4.2.1). */
  logoUrl: string | null
  /** `a=`: the mark certificate's https URL, or null when empty or absent (BIMI §4.2). */
  certificateUrl: string | null
  /** Tags other than v, l and a (lps=, avp=, later ones); not read by this product. */
  otherTags: Record<string, string>
}

// BIMI §4.2: bimi-version = "v" *WSP "=" *WSP "BIMI1", first in the record.
const VERSION = /^v[ \t]*=[ \t]*(.*?)[ \t]*$/s
// RFC 6376 §3.2: tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS],
// tag-name = ALPHA *ALNUMPUNC (FWS is read as WSP: a TXT record holds no line breaks)
const TAG = /^[ \t]*([A-Za-z][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*?)[ \t]*$/s
// RFC 6376 §3.2: tag-value = [ tval *( 1*(WSP / FWS) tval ) ],
// tval = 1*VALCHAR = %x21-3A / %x3C-7E ("=" allowed, unlike the RFC 8461/8460 grammar)
const TAG_VALUE = /^(?:[\x21-\x3A\x3C-\x7E]+(?:[ \t]+[\x21-\x3A\x3C-\x7E]+)*)?$/
const HTTPS = /^https:\/\/([^/?#]*)(.*)$/is
// RFC 3986 §3.3-3.5 characters after the authority; BIMI §4.2: commas must be encoded.
const URI_TAIL = /^(?:[A-Za-z0-9._~!$&'()*+=:@/?#-]|%[0-9A-Fa-f]{2})*$/
// BIMI §4.2.2: an l= URI ending in another image format's suffix is a permanent error.
const OTHER_IMAGE = /\.(?:png|jpe?g|gif|webp|avif|heic|bmp|ico|tiff?)$/i

/** BIMI §4.2: `v=BIMI1` first, then `l=` and `a=` (empty when there is none). */
export function renderBimiRecord(logoUrl: string | null, certificateUrl: string | null): string {
  return `v=BIMI1; l=${logoUrl ?? ''}; a=${certificateUrl ?? ''}`
}

function uriIssues(uri: string): string[] {
  // BIMI §4.2: bimi-uri = [FWS] URI [FWS], one URI, "https" the only scheme
  const match = HTTPS.exec(uri)
  if (match === null) return ['must be a single https: URL']
  const [, authority = '', tail = ''] = match
  const issues: string[] = []
  // RFC 3986 §3.2.1: userinfo is deprecated; receivers have no use for it
  if (authority.includes('@')) issues.push('must not contain user information')
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
  const [, host = hostPort, port] = /^(.*):(\d{1,5})$/s.exec(hostPort) ?? []
  if (port !== undefined && Number(port) > 65535) issues.push('the port must be at most 65535')
  // BIMI §4.2: the URI "MUST contain a fully qualified domain name"
  const name = normalizeHostname(host)
  if (!name.ok) issues.push(...name.issues.map(({ message }) => `host ${message}`))
  if (!URI_TAIL.test(tail)) issues.push('has characters to percent-encode (a comma is %2C)')
  return issues
}

function urlTag(tags: Map<string, string>, tag: 'l' | 'a', issues: FieldIssue[]): string | null {
  const value = tags.get(tag)
  // BIMI §4.2: an empty value (or an absent a=) publishes nothing
  if (value === undefined || value === '') return null
  const found = uriIssues(value)
  if (tag === 'l' && found.length === 0 && OTHER_IMAGE.test(value.split(/[?#]/)[0]!)) {
    found.push('names an image format other than SVG (BIMI §4.2.2)')
  }
  issues.push(...found.map((message) => ({ path: tag, message })))
  return value
}

/**
 * Parses a BIMI Assertion Record (BIMI §4.2) and reports every problem; tag names and the
 * version are case-sensitive and never repaired (BIMI §4.2: receivers "MUST NOT attempt to fix
 * syntactical or capitalization errors"). A TXT record may hold several character-strings:
 * pass them joined with nothing between them (BIMI §4, as SPF, RFC 7208 §3.3).
 */
export function parseBimiRecord(record: string): Checked<BimiRecord> {
  const issues: FieldIssue[] = []
  const [first = '', ...rest] = record.split(';')
  const [, version] = VERSION.exec(first) ?? []
  // BIMI §4.2: v= must be the first tag and match "BIMI1" precisely, else the record is ignored
  if (version !== 'BIMI1') {
    const message = version === undefined ? 'must begin with "v=BIMI1"' : 'v must be exactly BIMI1'
    return { ok: false, issues: [{ path: 'v', message }] }
  }
  const tags = new Map<string, string>()
  rest.forEach((spec, index) => {
    const path = `tag.${index + 2}`
    // RFC 6376 §3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
    if (/^[ \t]*$/.test(spec)) {
      if (index < rest.length - 1) issues.push({ path, message: 'is empty (";;")' })
      return
    }
    const [, name = '', value = ''] = TAG.exec(spec) ?? []
    if (name === '') issues.push({ path, message: `"${spec.trim()}" is not a tag=value pair` })
    // RFC 6376 §3.2: "if a tag name does occur more than once, the entire tag-list is invalid"
    else if (tags.has(name) || name === 'v') issues.push({ path, message: `repeats ${name}=` })
    else if (!TAG_VALUE.test(value)) {
      issues.push({ path: name, message: 'holds characters a tag value cannot (RFC 6376 §3.2)' })
    } else tags.set(name, value)
  })
  // BIMI §4.2: l= is required (empty to decline); a= is optional
  if (!tags.has('l') && !issues.some((i) => i.path === 'l')) {
    issues.push({ path: 'l', message: 'l= is required (empty to decline)' })
  }
  const logoUrl = urlTag(tags, 'l', issues)
  const certificateUrl = urlTag(tags, 'a', issues)
  const otherTags = Object.fromEntries([...tags].filter(([name]) => name !== 'l' && name !== 'a'))
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, value: { logoUrl, certificateUrl, otherTags } }
}
