/**
 * bench: a fast path for 100k certificates. The product's local CA issues one template leaf;
 * every other leaf is that template's DER with its own serial, subject CN, SAN and a fresh
 * ECDSA P-256 public key, signed by the same root key with node:crypto (the product's issuer
 * takes ~8 ms per leaf through @peculiar/x509 + WebCrypto; this takes ~0.3 ms). Same
 * extensions, validity and issuer as the template, so the store sees what the CA would write.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CertificateBundle } from '../src/core/certs/types.js'
import { localCa } from '../src/adapters/certs/local-ca.js'

type Tlv = { tag: number; start: number; body: number; end: number }

/** The TLVs directly inside `buf[from, to)`. */
function children(buf: Buffer, from: number, to: number): Tlv[] {
  const out: Tlv[] = []
  for (let p = from; p < to;) {
    const tag = buf[p]!
    let len = buf[p + 1]!
    let body = p + 2
    if (len & 0x80) {
      const n = len & 0x7f
      len = 0
      for (let k = 0; k < n; k++) len = len * 256 + buf[p + 2 + k]!
      body += n
    }
    out.push({ tag, start: p, body, end: body + len })
    p = body + len
  }
  return out
}

const inside = (buf: Buffer, t: Tlv) => children(buf, t.body, t.end)
const raw = (buf: Buffer, t: Tlv) => buf.subarray(t.start, t.end)

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const n = body.length
  const head = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255]
  return Buffer.concat([Buffer.from([tag, ...head]), body])
}

const SAN_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11])
const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`

export interface LeafFactory {
  issue(hostname: string): CertificateBundle
}

/** Loads the local CA under `certsDir` (the product creates it) and a template leaf. */
export async function leafFactory(certsDir: string): Promise<LeafFactory> {
  const ca = await localCa(certsDir, { keyType: 'ecdsa-p256', clock: () => new Date() })
  const template = await ca.issue('mta-sts.template.example', new AbortController().signal)
  const rootKey: KeyObject = createPrivateKey(readFileSync(join(certsDir, 'local-ca/root.key')))
  const rootPem = new X509Certificate(ca.rootPem).toString()
  const der = new X509Certificate(template.chainPem).raw
  const [cert] = children(der, 0, der.length)
  const [tbs, sigAlg] = inside(der, cert!)
  const f = inside(der, tbs!) // version, serial, sigAlg, issuer, validity, subject, spki, [3]
  const cnTag = der[inside(der, inside(der, inside(der, f[5]!)[0]!)[0]!)[1]!.start]!
  const exts = inside(der, inside(der, f[7]!)[0]!)
  const head = Buffer.concat([raw(der, f[0]!)])
  const middle = Buffer.concat([raw(der, f[2]!), raw(der, f[3]!), raw(der, f[4]!)])

  return {
    issue(hostname) {
      const serial = randomBytes(16)
      serial[0] = (serial[0]! & 0x7f) | 0x10 // positive, 16 octets, no leading zero
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      const spki = publicKey.export({ type: 'spki', format: 'der' })
      const name = Buffer.from(hostname, 'ascii')
      const cn = tlv(0x30, tlv(0x31, tlv(0x30, Buffer.from([6, 3, 85, 4, 3]), tlv(cnTag, name))))
      const extList = exts.map((e) => {
        const ext = raw(der, e)
        if (!ext.subarray(2, 7).equals(SAN_OID) && !ext.subarray(3, 8).equals(SAN_OID)) return ext
        return tlv(0x30, SAN_OID, tlv(0x04, tlv(0x30, tlv(0x82, name))))
      })
      const tbsDer = tlv(
        0x30,
        head,
        tlv(0x02, serial),
        middle,
        cn,
        spki,
        tlv(0xa3, tlv(0x30, ...extList)),
      )
      const sig = sign('sha256', tbsDer, rootKey)
      const leaf = tlv(0x30, tbsDer, raw(der, sigAlg!), tlv(0x03, Buffer.from([0]), sig))
      return {
        hostname,
        chainPem: pem(leaf) + rootPem,
        keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        notBefore: template.notBefore,
        notAfter: template.notAfter,
        serial: serial.toString('hex'),
        issuer: template.issuer,
      }
    },
  }
}
