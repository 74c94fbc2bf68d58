import { z } from 'zod'
import { normalizeHostname } from '../domain-name.js'
import type { Checked, FieldIssue } from '../errors.js'
import { checkedString } from '../checked-schema.js'
import { extensionFields, splitTxtFields } from '../dns/txt-fields.js'

// RFC 8460 §3: "," "!" ";" delimit the record, so inside a URI they must be percent-encoded.
const RECORD_DELIMITER = /[,!;]/
const SPACE_OR_CONTROL = /[\p{Cc}\p{Zs}]/u
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/
// RFC 6068 §2 / RFC 3986 §2.3: atext that may stand raw in a URI; the rest arrives as %XX.
const MAILTO_LOCAL = /^(?:[A-Za-z0-9._~$&'*+=-]|%[0-9A-Fa-f]{2})+$/
// RFC 5322 §3.2.3: dot-atom-text, checked after decoding.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
// RFC 3986 §3.3, §3.4: pchar, "/" and "?" for the path and query.
const PATH_AND_QUERY = /^(?:[A-Za-z0-9._~$&'()*+=:@/?-]|%[0-9A-Fa-f]{2})*$/

type Parsed = { issues: string[]; value: string }

function host(name: string, issues: string[]): string {
  const result = normalizeHostname(name)
  if (result.ok) return result.value
  issues.push(...result.issues.map(({ message }) => `host ${message}`))
  return name
}

function decodes(local: string): string | null {
  try {
    return decodeURIComponent(local)
  } catch {
    return null
  }
}

function mailto(rest: string): Parsed {
  const issues: string[] = []
  const [address = ''] = rest.split('?')
  // Product rule: reporters send to the address only, so ?subject= and other headers are noise.
  if (address !== rest) issues.push('a mailto: URI must not carry ?headers')
  const at = address.lastIndexOf('@')
  if (at < 0) return { issues: [...issues, 'a mailto: URI needs local@domain'], value: '' }
  const local = address.slice(0, at)
  const decoded = MAILTO_LOCAL.test(local) ? decodes(local) : null
  // RFC 6068 §2: addr-spec with a dot-atom local part
  if (decoded === null || !DOT_ATOM.test(decoded)) issues.push('the local part is not a dot-atom')
  return { issues, value: `mailto:${local}@${host(address.slice(at + 1), issues)}` }
}

function https(rest: string): Parsed {
  // RFC 3986 §3: hier-part = "//" authority path-abempty
  if (!rest.startsWith('//')) return { issues: ['an https: URI needs //host'], value: '' }
  const issues: string[] = []
  const [target = '', fragment] = rest.slice(2).split('#')
  // Product rule: a fragment is never sent to the server, so it can only be a mistake.
  if (fragment !== undefined) issues.push('an https: URI must not have a #fragment')
  const end = target.search(/[/?]/)
  const authority = end < 0 ? target : target.slice(0, end)
  const tail = end < 0 ? '' : target.slice(end)
  // RFC 3986 §3.2.1: userinfo in URIs is deprecated and would leak a password into DNS
  if (authority.includes('@')) issues.push('an https: URI must not contain user information')
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
  // RFC 3986 §3.2.3: port = *DIGIT; we also require it to be a usable TCP port
  const [, name = hostPort, port] = /^(.*):(\d{1,5})$/.exec(hostPort) ?? []
  if (port !== undefined && Number(port) > 65535) issues.push('the port must be at most 65535')
  if (!PATH_AND_QUERY.test(tail)) issues.push('the path or query has characters to percent-encode')
  const origin = `https://${host(name, issues)}${port === undefined ? '' : `:${port}`}`
  return { issues, value: origin + tail }
}

function checkRua(input: string): Checked<string> {
  const fail = (messages: string[]): Checked<string> => ({
    ok: false,
    issues: messages.map((message) => ({ path: '', message })),
  })
  // A URI with raw delimiters or spaces is reported once; parsing it further only adds noise.
  if (SPACE_OR_CONTROL.test(input)) return fail(['must not contain spaces or control characters'])
  if (RECORD_DELIMITER.test(input)) return fail(['",", "!" and ";" must be percent-encoded'])
  if (BAD_ESCAPE.test(input)) return fail(['"%" must start a %XX escape']) // RFC 3986 §2.1
  const [prefix = '', scheme = ''] = SCHEME.exec(input) ?? []
  const rest = input.slice(prefix.length)
  // RFC 8460 §3: "Two URI schemes are supported: mailto and https."
  const parsed =
    scheme.toLowerCase() === 'mailto'
      ? mailto(rest)
      : scheme.toLowerCase() === 'https'
        ? https(rest)
        : { issues: ['the scheme must be mailto: or https:'], value: '' }
  return parsed.issues.length > 0 ? fail(parsed.issues) : { ok: true, value: parsed.value }
}

/** One TLS-RPT reporting URI (RFC 8460 §3), returned with scheme and host normalised. */
export const RuaUri = checkedString(512, checkRua)

/**
 * The TLS-RPT settings of a domain: up to nine distinct reporting URIs of the tenant's own.
 * Our hosted https: endpoint is always added in front, so an empty list means "ours only".
 */
export const TlsRptSettings = z
  .object({
    rua: z
      .array(RuaUri)
      .max(9)
      .superRefine(
        (uris, ctx) => {
          const seen = new Set<string>()
          uris.forEach((uri, index) => {
            // Product rule: a repeated URI would make reporters deliver the same report twice.
            if (typeof uri === 'string' && seen.has(uri)) {
              ctx.addIssue({ code: 'custom', path: [index], message: `repeats "${uri}"` })
            }
            seen.add(uri)
          })
        },
        { when: (payload) => Array.isArray(payload.value) },
      ),
  })
  .strict()

export type TlsRptSettings = z.output<typeof TlsRptSettings>

// RFC 8460 §3: tlsrpt-version = %s"v=TLSRPTv1" (RFC 7405 %s: case-sensitive)
const VERSION = 'v=TLSRPTv1'

/** An `_smtp._tls` TXT record as parsed. */
export interface TlsRptRecord {
  /** RFC 8460 §3: the reporting URIs, in order, as published. */
  rua: string[]
  /** Fields this version does not define, ignored by senders (RFC 8460 §3). */
  extensions: Record<string, string>
  /** Field names repeated in the record; the first is read and the rest ignored. */
  duplicates: string[]
}

/** Renders the `_smtp._tls` TXT record value for the given reporting URIs. */
export function renderTlsRptRecord(rua: string[]): string {
  // RFC 8460 §3: begins with v=TLSRPTv1, then rua= with comma-separated URIs
  return `v=TLSRPTv1; rua=${rua.join(',')}`
}

/**
 * Parses an `_smtp._tls` TXT record value (RFC 8460 §3) and reports every problem, each URI
 * checked as RuaUri checks a tenant's (issues at `rua.<n>`). A TXT record may hold several
 * character-strings: pass them joined with nothing between them. Field names and the version
 * are case-sensitive.
 */
export function parseTlsRptRecord(record: string): Checked<TlsRptRecord> {
  const issues: FieldIssue[] = []
  const split = splitTxtFields(record, VERSION, issues)
  if (split === null) return { ok: false, issues }
  const list = split.fields.get('rua')
  // RFC 8460 §3: tlsrpt-rua is required
  if (list === undefined) issues.push({ path: 'rua', message: 'rua is required' })
  // RFC 8460 §3: tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
  const rua =
    list === undefined ? [] : list.split(',').map((uri) => uri.replace(/^[ \t]+|[ \t]+$/g, ''))
  rua.forEach((uri, index) => {
    const result = checkRua(uri)
    if (!result.ok)
      issues.push(...result.issues.map(({ message }) => ({ path: `rua.${index}`, message })))
  })
  const extensions = extensionFields(split.fields, ['rua'], issues)
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, value: { rua, extensions, duplicates: split.duplicates } }
}
