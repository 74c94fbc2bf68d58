import { parse } from 'tldts'
import { toASCII } from 'tr46'
import type { z } from 'zod'
import { canonicalHost } from './canonical-host.js'
import type { Checked } from './errors.js'
import { checkedString } from './checked-schema.js'

// UTS #46 nontransitional processing (IDNA2008 behaviour for ß, ς, ZWJ/ZWNJ) with every check on,
// so a name we accept is one every resolver and CA will accept too.
const IDNA = {
  transitionalProcessing: false,
  checkHyphens: true,
  checkBidi: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  verifyDNSLength: true,
} as const

// Per-label conversion only explains a failure of the whole name; lengths are checked by us.
const IDNA_LABEL = { ...IDNA, verifyDNSLength: false } as const

// RFC 1035 §2.3.4 (255 octets on the wire = 253 in text without the root dot) and 63 per label.
const MAX_NAME_OCTETS = 253
const MAX_LABEL_OCTETS = 63

const NON_ASCII = /\P{ASCII}/u
const HOST_HEADER = /^[a-z0-9._-]+$/
const IPV6_HEADER = /^[0-9a-f:.]+$/
const PORT = /^\d{0,5}$/

function labelIssues(label: string): string[] {
  if (label === '') return ['must not contain an empty label (leading, trailing or doubled dot)']
  const issues: string[] = []
  if (label.length > MAX_LABEL_OCTETS) {
    // RFC 1035 §2.3.4
    issues.push(`label "${label}" is ${label.length} octets; at most ${MAX_LABEL_OCTETS} allowed`)
  }
  if (!/^[a-z0-9-]+$/.test(label)) {
    // RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1: letters, digits, hyphen (LDH)
    issues.push(`label "${label}" may contain only letters, digits and hyphens`)
  } else if (label.startsWith('-') || label.endsWith('-')) {
    // RFC 1035 §2.3.1
    issues.push(`label "${label}" must not begin or end with a hyphen`)
  } else if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
    // RFC 5891 §4.2.3.1: "--" in positions 3-4 is reserved for A-labels
    issues.push(`label "${label}" must not have "--" in positions 3 and 4`)
  }
  return issues
}

function syntaxIssues(labels: string[]): string[] {
  const issues = labels.flatMap(labelIssues)
  // Product rule: a single label is a TLD or a local name, never a hostable mail domain.
  if (labels.length < 2) issues.push('must have at least two labels')
  // RFC 3696 §2: a top-level label is never all-numeric, which also rules out dotted IPs.
  if (labels.length >= 2 && /^\d+$/.test(labels.at(-1) ?? '')) {
    issues.push('must not end in an all-numeric label')
  }
  const length = labels.join('.').length
  // RFC 1035 §2.3.4
  if (length > MAX_NAME_OCTETS) {
    issues.push(`is ${length} octets long; at most ${MAX_NAME_OCTETS} allowed`)
  }
  return issues
}

function explainIdnaFailure(name: string): string[] {
  const issues: string[] = []
  const labels = name.split('.').map((label) => {
    if (!NON_ASCII.test(label)) return label
    const ascii = toASCII(label, IDNA_LABEL)
    // RFC 5891 §4 / UTS #46 §4: the U-label has no valid A-label form
    if (ascii === null) issues.push(`label "${label}" is not a valid internationalized label`)
    // A stand-in keeps the label count and stops the same label being reported twice.
    return ascii ?? 'x'
  })
  issues.push(...syntaxIssues(labels))
  return issues.length > 0 ? issues : ['is not a valid internationalized domain name (UTS #46)']
}

function checkName(input: string, refusePublicSuffix: boolean): Checked<string> {
  const fail = (messages: string[]): Checked<string> => ({
    ok: false,
    issues: messages.map((message) => ({ path: '', message })),
  })
  const name = canonicalHost(input.trim())
  if (name === '') return fail(['must not be empty'])
  if (parse(name).isIp === true) return fail(['must be a DNS name, not an IP address'])
  const ascii = toASCII(name, IDNA)
  if (ascii === null) return fail(explainIdnaFailure(name))
  const issues = syntaxIssues(ascii.split('.'))
  // Product rule: nobody owns a public suffix, so nobody may publish a policy for one. The
  // private section counts too (github.io): the names under it belong to different owners.
  if (refusePublicSuffix && parse(ascii, { allowPrivateDomains: true }).publicSuffix === ascii) {
    issues.push(`"${ascii}" is a public suffix, not a registrable domain`)
  }
  return issues.length > 0 ? fail(issues) : { ok: true, value: ascii }
}

/** Normalises a customer domain to lower-case A-labels and reports every syntax problem. */
export function normalizeDomainName(input: string): Checked<string> {
  return checkName(input, true)
}

/** Normalises a host name (MX, service host) like a domain, but allows public suffixes. */
export function normalizeHostname(input: string): Checked<string> {
  return checkName(input, false)
}

/** Extracts the routing host from an HTTP Host header, or null when it is not a plausible host. */
export function hostFromHeader(header: string | undefined): string | null {
  if (header === undefined || header === '') return null
  let host = header
  let port = ''
  if (host.startsWith('[')) {
    // RFC 3986 §3.2.2: an IPv6 literal is bracketed so its colons are not read as a port
    const end = host.indexOf(']')
    if (end < 0) return null
    const rest = host.slice(end + 1)
    if (rest !== '' && !rest.startsWith(':')) return null
    port = rest.slice(1)
    host = host.slice(1, end).toLowerCase()
    return PORT.test(port) && IPV6_HEADER.test(host) ? host : null
  }
  const colon = host.lastIndexOf(':')
  if (colon >= 0) {
    port = host.slice(colon + 1)
    host = host.slice(0, colon)
  }
  host = canonicalHost(host)
  if (!PORT.test(port) || host.length > MAX_NAME_OCTETS || !HOST_HEADER.test(host)) return null
  return host
}

/** A customer domain from untrusted input, normalised by normalizeDomainName. */
export const DomainName = checkedString(1000, normalizeDomainName)

export type DomainName = z.infer<typeof DomainName>

/** The organizational (registrable) domain by the public suffix list, e.g. a.b.example.co.uk → example.co.uk. */
export function organizationalDomain(name: string): string {
  return parse(name, { allowPrivateDomains: false }).domain ?? name
}
