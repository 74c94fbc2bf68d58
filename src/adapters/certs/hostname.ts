/** adapters/certs: the hostname check that guards every path built from a hostname. */

// RFC 1035 §2.3.1 / RFC 1123 §2.1 LDH label, lower-case only so one name maps to one directory.
const LABEL = '(?!-)[a-z0-9-]{1,63}(?<!-)'
// At least two labels: single-label names stay free for the store's own entries (`local-ca/`,
// an ACME account folder), and no MTA-STS policy host (`mta-sts.<domain>`) has only one.
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`)
// RFC 1035 §2.3.4: 253 octets in text form.
const MAX_LENGTH = 253

/**
 * True for a lower-case LDH name of two or more labels — safe to use as a directory name — and
 * for `localhost`, the local CA's certificate for a first run's SERVICE_HOST (no entry of the
 * store's own is called that).
 */
export function isStorableHostname(hostname: string): boolean {
  if (hostname === 'localhost') return true
  return hostname.length <= MAX_LENGTH && HOSTNAME.test(hostname)
}

/** Throws unless `hostname` is storable; the path traversal defence for the certificate store. */
export function assertStorableHostname(hostname: string): void {
  if (!isStorableHostname(hostname)) {
    throw new Error(`invalid hostname ${JSON.stringify(hostname)} for the certificate store`)
  }
}
