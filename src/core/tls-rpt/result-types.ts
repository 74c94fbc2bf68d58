/**
 * RFC 8460 §6.6: the IANA "STARTTLS Validation Result Types" registry as of its 2018-09-28
 * update, which added `sts-policy-fetch-error` (§4.3.2.2) after draft-23.
 */
export const KNOWN_RESULT_TYPES = [
  // RFC 8460 §4.3.1: negotiation failures
  'starttls-not-supported',
  'certificate-host-mismatch',
  'certificate-expired',
  'certificate-not-trusted',
  'validation-failure',
  // RFC 8460 §4.3.2.1: DANE
  'tlsa-invalid',
  'dnssec-invalid',
  'dane-required',
  // RFC 8460 §4.3.2.2: MTA-STS
  'sts-policy-fetch-error',
  'sts-policy-invalid',
  'sts-webpki-invalid',
] as const

export type KnownResultType = (typeof KNOWN_RESULT_TYPES)[number]

const KNOWN: ReadonlySet<string> = new Set(KNOWN_RESULT_TYPES)

/** Tells whether a result type is in the IANA registry; others are kept, not refused. */
export function isKnownResultType(value: string): value is KnownResultType {
  // RFC 8460 §6.6: the registry is open (Expert Review), so an unknown value may be newer than us.
  return KNOWN.has(value)
}
