/** adapters/certs: certificate inspection and key generation with node:crypto. */
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto'
import type { CertificateBundle, KeyType } from '../../core/certs/types.js'

export type InspectResult = { ok: true; bundle: CertificateBundle } | { ok: false; reason: string }

const BEGIN = '-----BEGIN CERTIFICATE-----'
// Only base64 and whitespace between the markers, so a block cut short never swallows the next one.
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*?-----END CERTIFICATE-----/g

/** The CERTIFICATE blocks of a PEM text in order; other text (and CR) around them is ignored. */
export function splitPemChain(pem: string): string[] {
  return Array.from(pem.matchAll(CERTIFICATE_BLOCK), (m) => m[0].replace(/\r/g, ''))
}

/**
 * Serial as stored everywhere: lower-case hex without leading zeros, so the DER form
 * (`00ff…` for a high first byte) and OpenSSL's (`FF…`) compare equal.
 */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '')
}

/** A fresh private key as PKCS#8 PEM; ECDSA P-256 unless RSA is asked for. */
export function generateKeyPem(type: KeyType = 'ecdsa-p256'): string {
  const { privateKey } =
    type === 'rsa-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

function parseChain(chainPem: string): X509Certificate[] | string {
  const blocks = splitPemChain(chainPem)
  // A BEGIN without its END is a truncated write, even when the blocks before it are whole.
  if (chainPem.split(BEGIN).length - 1 !== blocks.length) return 'truncated certificate block'
  if (blocks.length === 0) return 'no certificate in the chain'
  const certs: X509Certificate[] = []
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block))
    } catch (err) {
      return `certificate ${i + 1} does not parse: ${(err as Error).message}`
    }
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    const [child, parent] = [certs[i]!, certs[i + 1]!]
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      return `certificate ${i + 1} is not issued by certificate ${i + 2} (chain must be leaf first)`
    }
  }
  return certs
}

function keyMatches(leaf: X509Certificate, keyPem: string): boolean | string {
  try {
    return leaf.checkPrivateKey(createPrivateKey(keyPem))
  } catch (err) {
    return `private key does not parse: ${(err as Error).message}`
  }
}

function parseDate(text: string): Date | null {
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * Checks a chain (leaf first) and key for `hostname` and reads the leaf's metadata. Validity
 * dates are reported, not judged: an expired certificate is still served until a new one exists.
 */
export function inspectBundle(hostname: string, chainPem: string, keyPem: string): InspectResult {
  const certs = parseChain(chainPem)
  if (typeof certs === 'string') return { ok: false, reason: certs }
  const leaf = certs[0]!
  const matches = keyMatches(leaf, keyPem)
  if (typeof matches === 'string') return { ok: false, reason: matches }
  if (!matches) return { ok: false, reason: 'private key does not match the certificate' }
  // RFC 6125 §6.4.4: with a DNS-ID present the CN is not consulted; we require the DNS-ID.
  if (leaf.checkHost(hostname, { subject: 'never' }) === undefined) {
    return { ok: false, reason: `certificate is not valid for ${hostname}` }
  }
  const notBefore = parseDate(leaf.validFrom)
  const notAfter = parseDate(leaf.validTo)
  if (notBefore === null || notAfter === null) {
    return { ok: false, reason: 'certificate validity dates do not parse' }
  }
  return {
    ok: true,
    bundle: {
      hostname,
      // Canonical PEM (LF, no surrounding text) so what is stored and served is exactly the chain.
      chainPem: certs.map((c) => c.toString()).join(''),
      keyPem,
      notBefore,
      notAfter,
      serial: normalizeSerial(leaf.serialNumber),
      // Node prints one attribute per line; one line reads better in logs and SQLite.
      issuer: leaf.issuer.split('\n').join(', '),
    },
  }
}
