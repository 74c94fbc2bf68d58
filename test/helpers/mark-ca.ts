/**
 * test/helpers: a throwaway Mark Verifying Authority. Issues mark certificates (VMC/CMC) shaped
 * like the real ones: SAN, the BIMI extended key usage and an RFC 3709 logotype extension with
 * the SVG in a `data:` URI, so the inspection is tested against DER it did not write itself.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import { AlgorithmIdentifier } from '@peculiar/asn1-x509'
import {
  HashAlgAndValue,
  id_pe_logotype,
  LogotypeData,
  LogotypeDetails,
  LogotypeExtn,
  LogotypeImage,
  LogotypeInfo,
} from '@peculiar/asn1-x509-logotype'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto)

export const BIMI_EKU = '1.3.6.1.5.5.7.3.31'
const SHA256_OID = '2.16.840.1.101.3.4.2.1'
const DAY_MS = 86_400_000
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

export type Logotype =
  /** The SVG gzipped, as MVAs issue it. */
  | { kind: 'gzip'; svg: string }
  | { kind: 'plain'; svg: string }
  | { kind: 'none' }
  /** Arbitrary image bytes (e.g. a gzip bomb) under any media type; hashed as given. */
  | { kind: 'raw'; data: Uint8Array; mediaType?: string }

export interface MarkOptions {
  logotype: Logotype
  /** SAN dNSNames; default `example.com`. */
  dnsNames?: string[]
  /** Whether the leaf carries the BIMI extended key usage; default true. */
  eku?: boolean
  notBefore: Date
  notAfter: Date
  /** Added as given, e.g. a malformed extension. */
  extraExtensions?: x509.Extension[]
}

export interface IssuedMark {
  leafPem: string
  /** Leaf then root, as the `a=` file is published. */
  chainPem: string
  /** The DER value of the logotype extension, or null when none was added. */
  logotypeDer: Uint8Array | null
}

export interface MarkCa {
  rootPem: string
  issue(opts: MarkOptions): Promise<IssuedMark>
}

/** The DER LogotypeExtn holding one subject logo image with a SHA-256 hash. */
export function logotypeExtension(mediaType: string, data: Uint8Array, hashed: Uint8Array) {
  const details = new LogotypeDetails({
    mediaType,
    logotypeHash: [
      new HashAlgAndValue({
        hashAlg: new AlgorithmIdentifier({ algorithm: SHA256_OID, parameters: null }),
        hashValue: new OctetString(createHash('sha256').update(hashed).digest()),
      }),
    ],
    logotypeURI: [`data:${mediaType};base64,${Buffer.from(data).toString('base64')}`],
  })
  const image = new LogotypeImage({ imageDetails: details })
  const direct = new LogotypeData({ image: [image] })
  const extn = new LogotypeExtn({ subjectLogo: new LogotypeInfo({ direct }) })
  return new Uint8Array(AsnConvert.serialize(extn))
}

function logotypeDer(logotype: Logotype): Uint8Array | null {
  switch (logotype.kind) {
    case 'none':
      return null
    case 'raw':
      return logotypeExtension(logotype.mediaType ?? 'image/svg+xml', logotype.data, logotype.data)
    case 'plain':
    case 'gzip': {
      // Real VMCs hash the uncompressed SVG, whichever form the URI carries.
      const svg = Buffer.from(logotype.svg, 'utf8')
      const data = logotype.kind === 'gzip' ? gzipSync(svg) : svg
      return logotypeExtension('image/svg+xml', data, svg)
    }
  }
}

const USAGES: webcrypto.KeyUsage[] = ['sign', 'verify']
const keys = () =>
  webcrypto.subtle.generateKey(ALGORITHM, true, USAGES) as Promise<webcrypto.CryptoKeyPair>
const serialHex = () => randomBytes(16).toString('hex')

/** A new root that signs mark certificates directly (real MVAs use an intermediate). */
export async function createMarkCa(now: Date, opts: { issuerEku?: boolean } = {}): Promise<MarkCa> {
  const rootKeys = await keys()
  const name = 'CN=policyhost Test Mark Root, O=policyhost tests'
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex(),
    name,
    notBefore: new Date(now.getTime() - 365 * DAY_MS),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY_MS),
    keys: rootKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      // The draft (§4.4) wants the issuing CA to carry the BIMI usage too, as real ones do.
      ...(opts.issuerEku === false ? [] : [new x509.ExtendedKeyUsageExtension([BIMI_EKU])]),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  })
  const rootPem = root.toString('pem')
  const keyId = root.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId
  return {
    rootPem,
    async issue(mark: MarkOptions): Promise<IssuedMark> {
      const leafKeys = await keys()
      const logotype = logotypeDer(mark.logotype)
      const names = (mark.dnsNames ?? ['example.com']).map((value) => ({
        type: 'dns' as const,
        value,
      }))
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serialHex(),
        subject: 'CN=Example Brand, O=Example Brand Inc.',
        issuer: root.subjectName,
        notBefore: mark.notBefore,
        notAfter: mark.notAfter,
        publicKey: leafKeys.publicKey,
        signingKey: rootKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          ...(mark.eku === false ? [] : [new x509.ExtendedKeyUsageExtension([BIMI_EKU])]),
          new x509.SubjectAlternativeNameExtension(names),
          new x509.AuthorityKeyIdentifierExtension(keyId),
          ...(logotype === null ? [] : [new x509.Extension(id_pe_logotype, false, logotype)]),
          ...(mark.extraExtensions ?? []),
        ],
      })
      const leafPem = leaf.toString('pem')
      return { leafPem, chainPem: `${leafPem}\n${rootPem}\n`, logotypeDer: logotype }
    },
  }
}
