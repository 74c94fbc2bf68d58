/**
 * adapters/smtp: judges an MX host's certificate the way RFC 8461 §4.2 asks a sending MTA to, and
 * names the failure with an RFC 8460 §4.3.2 result type. Trust comes from OpenSSL's chain
 * verification (the handshake runs with rejectUnauthorized: false so its reason stays readable);
 * validity in time is judged here against the caller's `now`, not the system clock.
 */
import { X509Certificate } from 'node:crypto'
import { checkServerIdentity, type DetailedPeerCertificate, type TLSSocket } from 'node:tls'
import { safeText } from './smtp-reply-reader.js'

/** What a successful probe reports about the certificate. */
export interface ProbeCertificate {
  subject: string
  issuer: string
  notAfter: Date
  /** subjectAltName dNSNames, as presented (escaped). */
  names: string[]
}

export type CertificateVerdict =
  | { ok: true; certificate: ProbeCertificate }
  | {
      ok: false
      resultType: 'certificate-host-mismatch' | 'certificate-expired' | 'certificate-not-trusted'
      detail: string
    }
  | { ok: false; resultType: 'validation-failure'; detail: string }

// OpenSSL judges these with the system clock; time is judged below with the caller's `now`.
const CLOCK_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID'])
// A certificate with thousands of names is no reason to return thousands.
const MAX_NAMES = 100

/** Classifies the peer certificate of a finished handshake (trust, then name, then time). */
export function judgePeerCertificate(
  socket: TLSSocket,
  mxHost: string,
  now: Date,
): CertificateVerdict {
  const leaf = socket.getPeerCertificate(true)
  if (leaf === null || leaf.raw === undefined) {
    return { ok: false, resultType: 'validation-failure', detail: 'no server certificate' }
  }
  // RFC 8460 §4.3.2: certificate-not-trusted covers unknown CAs and every other chain error.
  const reason = socket.authorizationError as unknown as string | Error | null | undefined
  const code = reason instanceof Error ? ((reason as { code?: string }).code ?? '') : reason
  if (code && !CLOCK_ERRORS.has(code)) {
    return { ok: false, resultType: 'certificate-not-trusted', detail: safeText(code) }
  }

  const names = dnsNames(leaf.subjectaltname ?? '')
  // RFC 8461 §4.2: the host name must match a subjectAltName DNS-ID; the CN is not consulted.
  if (names.length === 0) {
    return {
      ok: false,
      resultType: 'certificate-host-mismatch',
      detail: 'no DNS name in the subjectAltName',
    }
  }
  // RFC 6125 §6.4.3 as applied by node: a wildcard matches the leftmost label only.
  const mismatch = checkServerIdentity(mxHost, leaf)
  if (mismatch !== undefined) {
    return {
      ok: false,
      resultType: 'certificate-host-mismatch',
      detail: safeText(`${mxHost} is not among ${names.slice(0, 5).join(', ')}`),
    }
  }

  // RFC 8461 §4.2: the certificate must not be expired; every certificate of the chain counts.
  for (const cert of chainOf(leaf)) {
    const from = new Date(cert.valid_from)
    const to = new Date(cert.valid_to)
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
      return { ok: false, resultType: 'validation-failure', detail: 'unreadable validity dates' }
    }
    const which = cert === leaf ? 'certificate' : 'an issuing certificate'
    if (now.getTime() > to.getTime()) {
      return {
        ok: false,
        resultType: 'certificate-expired',
        detail: `${which} expired ${to.toISOString()}`,
      }
    }
    // Not yet valid is no RFC 8460 result type of its own; it is a validation failure.
    if (now.getTime() < from.getTime()) {
      return {
        ok: false,
        resultType: 'validation-failure',
        detail: `${which} not valid before ${from.toISOString()}`,
      }
    }
  }

  const x509 = new X509Certificate(leaf.raw)
  return {
    ok: true,
    certificate: {
      subject: safeText(x509.subject.split('\n').join(', ')),
      issuer: safeText(x509.issuer.split('\n').join(', ')),
      notAfter: new Date(leaf.valid_to),
      names,
    },
  }
}

/** The leaf and its issuers as the handshake built them; a root points at itself. */
function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = []
  let cert: DetailedPeerCertificate | undefined = leaf
  while (cert !== undefined && !chain.includes(cert) && chain.length < 10) {
    chain.push(cert)
    cert = cert.issuerCertificate
  }
  return chain
}

/** dNSNames from node's subjectaltname text (`DNS:a, DNS:"b, c", IP Address:…`). */
function dnsNames(subjectAltName: string): string[] {
  const names: string[] = []
  const entry = /(?:^|, )DNS:(?:"((?:[^"\\]|\\.)*)"|([^,]*))/g
  for (const match of subjectAltName.matchAll(entry)) {
    if (names.length >= MAX_NAMES) break
    names.push(safeText(match[1] ?? match[2] ?? ''))
  }
  return names
}
