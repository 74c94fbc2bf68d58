import { canonicalHost } from '../canonical-host.js'

const WILDCARD = '*.'

/** The spelling of a live MX host (as DNS returns it) that patterns are compared against. */
export function normalizeMxHost(host: string): string {
  // RFC 8461 §4.1 compares names case-insensitively; "mx.example.com." is the same name as
  // "mx.example.com" (RFC 1034 §3.1), and DNS answers carry that trailing dot.
  return canonicalHost(host)
}

/** Whether an MTA-STS mx pattern accepts an MX host (RFC 8461 §4.1). */
export function mxMatches(pattern: string, host: string): boolean {
  const p = canonicalHost(pattern)
  const h = normalizeMxHost(host)
  if (h === '' || p === '') return false
  if (!p.startsWith(WILDCARD)) return p === h
  const suffix = p.slice(WILDCARD.length - 1) // ".example.com", so the match is on a label boundary
  if (suffix === '.' || !h.endsWith(suffix)) return false
  // RFC 8461 §4.1: "*" stands for exactly one left-most label: not zero ("example.com"), not two.
  const label = h.slice(0, h.length - suffix.length)
  return label !== '' && !label.includes('.')
}

/** Splits the live MX hosts (normalised, deduplicated, in input order) by pattern acceptance. */
export function mxCoverage(
  patterns: readonly string[],
  liveMx: readonly string[],
): { covered: string[]; uncovered: string[] } {
  const covered: string[] = []
  const uncovered: string[] = []
  for (const host of uniqueHosts(liveMx)) {
    const list = patterns.some((pattern) => mxMatches(pattern, host)) ? covered : uncovered
    list.push(host)
  }
  return { covered, uncovered }
}

/** A provider's documented MX host shape and the patterns that cover its rotation. */
interface ProviderShape {
  provider: string
  /** Matches a whole normalised host name; anchored, so look-alike parents never match. */
  host: RegExp
  patterns: readonly string[]
}

// Each wildcard is the one the provider documents for MTA-STS, and each host shape sits exactly
// one label below it (RFC 8461 §4.1), so the fold covers the host it replaces. Only hosts of a
// known shape are folded: two hosts sharing a parent are not evidence that the parent's owner
// runs every name under it, and a wildcard would authorise hosts the domain owner never listed.
const PROVIDERS: readonly ProviderShape[] = [
  {
    // Microsoft 365 (Exchange Online): <tenant>.mail.protection.outlook.com
    provider: 'Microsoft 365',
    host: /^[a-z0-9-]+\.mail\.protection\.outlook\.com$/,
    patterns: ['*.mail.protection.outlook.com'],
  },
  {
    // Google Workspace (legacy five-record set): aspmx.l.google.com, alt1..alt4.aspmx.l.google.com.
    // "*." never matches the bare name (RFC 8461 §4.1), so both patterns are needed. The newer
    // single record smtp.google.com has no shape here and stays exact.
    provider: 'Google Workspace',
    host: /^(?:alt\d+\.)?aspmx\.l\.google\.com$/,
    patterns: ['aspmx.l.google.com', '*.aspmx.l.google.com'],
  },
  {
    // Proofpoint: mx0a-<customer id>.pphosted.com, mx0b-…
    provider: 'Proofpoint',
    host: /^mx0[a-z]-[a-z0-9-]+\.pphosted\.com$/,
    patterns: ['*.pphosted.com'],
  },
  {
    // Mimecast: <region>-smtp-inbound-<n>.mimecast.com
    provider: 'Mimecast',
    host: /^[a-z]{2,}-smtp-inbound-\d+\.mimecast\.com$/,
    patterns: ['*.mimecast.com'],
  },
  {
    // Zoho Mail: mx.zoho.com, mx2.zoho.com, mx3.zoho.com
    provider: 'Zoho Mail',
    host: /^mx\d*\.zoho\.com$/,
    patterns: ['*.zoho.com'],
  },
  {
    // Zoho Mail, EU data centre: mx.zoho.eu, mx2.zoho.eu, mx3.zoho.eu
    provider: 'Zoho Mail (EU)',
    host: /^mx\d*\.zoho\.eu$/,
    patterns: ['*.zoho.eu'],
  },
  {
    // Fastmail: in1-smtp.messagingengine.com, in2-smtp.messagingengine.com
    provider: 'Fastmail',
    host: /^in\d+-smtp\.messagingengine\.com$/,
    patterns: ['*.messagingengine.com'],
  },
]

/** The mx list to propose: exact names, but known providers' hosts as their wildcard. */
export function suggestMx(liveMx: readonly string[]): string[] {
  const suggested = new Set<string>()
  for (const host of uniqueHosts(liveMx)) {
    // An empty name (the null MX ".", RFC 7505 §3) says the domain takes no mail: nothing to list.
    if (host === '') continue
    const shape = PROVIDERS.find((candidate) => candidate.host.test(host))
    for (const pattern of shape ? shape.patterns : [host]) suggested.add(pattern)
  }
  return [...suggested].sort()
}

function uniqueHosts(liveMx: readonly string[]): string[] {
  return [...new Set(liveMx.map(normalizeMxHost))]
}
