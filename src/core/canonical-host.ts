/**
 * The one spelling of a host name used as a key or compared: DNS names are case-insensitive
 * (RFC 4343 §3; ASCII only, RFC 1035 §2.3.3) and `example.com.` names the same node as
 * `example.com` (RFC 1034 §3.1: a trailing dot only marks the name as absolute).
 *
 * It lower-cases the whole string (`String.prototype.toLowerCase`, so non-ASCII letters too)
 * and drops exactly one trailing dot. It does not trim whitespace, convert U-labels to A-labels
 * (IDNA), reject an empty or malformed name, or remove more than one dot: validating and
 * normalising untrusted input is normalizeDomainName's and normalizeHostname's job.
 */
export function canonicalHost(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower.slice(0, -1) : lower
}
