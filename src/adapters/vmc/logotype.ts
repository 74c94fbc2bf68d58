/**
 * adapters/vmc: reads the SVG a mark certificate embeds in its logotype extension (RFC 3709) and
 * compares it with the logo we host. Nothing is ever fetched: only `data:` URIs are read.
 */
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { AsnConvert } from '@peculiar/asn1-schema'
import {
  LogotypeExtn,
  type HashAlgAndValue,
  type LogotypeImage,
} from '@peculiar/asn1-x509-logotype'
import type { SvgIssue } from '../../core/bimi/types.js'
import { finding, VMC_DRAFT } from './finding.js'

export { id_pe_logotype as LOGOTYPE_OID } from '@peculiar/asn1-x509-logotype'

// Twice the 32 KiB receivers accept (specs D.4), so a logo just over their limit is still shown
// to the user; any more is refused before it is allocated, which defeats gzip bombs.
export const MAX_EMBEDDED_SVG_BYTES = 65_536

const SVG_TYPE = 'image/svg+xml'
const GZIP_MAGIC = [0x1f, 0x8b]
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
// RFC 2397 §2: data:[<mediatype>][;base64],<data>
const DATA_URI = /^data:([^,]*),(.*)$/s

// The digests CAs have used in logotypeHash (DigiCert VMCs carry SHA-1, newer ones SHA-256).
const HASHES = new Map([
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
])

const RFC3709 = 'RFC 3709 §4.1'

export interface EmbeddedLogo {
  /** The uncompressed SVG bytes, or null when none could be read. */
  svg: Buffer | null
  issues: SvgIssue[]
}

const mediaTypeOf = (image: LogotypeImage) =>
  image.imageDetails.mediaType.split(';')[0]!.trim().toLowerCase()

/** Decodes a `data:image/svg+xml;base64,` URI to bytes, or says why it cannot. */
function decodeDataUri(uri: string): Buffer | string {
  const m = DATA_URI.exec(uri)
  if (m === null) return `the logotype URI is not a data: URI (${uri.slice(0, 40)}…)`
  const params = m[1]!.split(';').map((p) => p.trim().toLowerCase())
  if (params[0] !== SVG_TYPE) return `the data: URI has media type "${params[0]}", not ${SVG_TYPE}`
  if (params.at(-1) !== 'base64') return 'the data: URI is not base64-encoded'
  const text = m[2]!
  if (text.length % 4 !== 0 || !BASE64.test(text)) return 'the data: URI is not valid base64'
  return Buffer.from(text, 'base64')
}

/** Uncompresses gzip data under the byte cap; other data is taken as plain SVG. */
function uncompress(data: Buffer, path: string, issues: SvgIssue[]): Buffer | null {
  const tooLarge = (): null => {
    const message = `the embedded SVG is larger than ${MAX_EMBEDDED_SVG_BYTES} bytes uncompressed`
    issues.push(finding('vmc-logotype-too-large', 'error', path, message, `${VMC_DRAFT} §4.2`))
    return null
  }
  if (data[0] !== GZIP_MAGIC[0] || data[1] !== GZIP_MAGIC[1]) {
    issues.push(
      finding(
        'vmc-logotype-uncompressed',
        'warning',
        path,
        'the embedded SVG is not gzip-compressed; the profile asks for compression',
        `${VMC_DRAFT} §4.2`,
      ),
    )
    return data.length > MAX_EMBEDDED_SVG_BYTES ? tooLarge() : data
  }
  try {
    // maxOutputLength makes zlib stop as soon as the cap is passed, so a bomb costs ~64 KiB.
    return gunzipSync(data, { maxOutputLength: MAX_EMBEDDED_SVG_BYTES })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge()
    const why = (err as Error).message
    issues.push(
      finding('vmc-logotype-invalid', 'error', path, `the gzip data is corrupt: ${why}`, RFC3709),
    )
    return null
  }
}

/**
 * RFC 3709 §4.1: logotypeHash is over the image object. Real VMCs hash the uncompressed SVG; the
 * compressed bytes are accepted too, since the RFC does not say which form of an SVGZ is meant.
 */
function checkHash(hashes: HashAlgAndValue[], svg: Buffer, data: Buffer, path: string) {
  const known = hashes.filter((h) => HASHES.has(h.hashAlg.algorithm))
  if (known.length === 0) {
    const algs = hashes.map((h) => h.hashAlg.algorithm).join(', ') || 'none'
    const message = `no logotype hash with a known algorithm (${algs}); it was not checked`
    return [finding('vmc-logotype-hash', 'warning', path, message, RFC3709)]
  }
  const matches = (h: HashAlgAndValue) => {
    const expected = Buffer.from(h.hashValue.buffer)
    const digest = (bytes: Buffer) => createHash(HASHES.get(h.hashAlg.algorithm)!).update(bytes)
    return [svg, data].some((bytes) => expected.equals(digest(bytes).digest()))
  }
  if (known.every(matches)) return []
  const message = 'the logotype hash does not match the embedded SVG; receivers refuse the logo'
  return [finding('vmc-logotype-hash', 'error', path, message, RFC3709)]
}

/** Reads the subject logo SVG from the logotype extension value (DER), if there is one. */
export function readLogotype(extnValue: ArrayBuffer | null, path: string): EmbeddedLogo {
  const fail = (rule: string, message: string, source = RFC3709): EmbeddedLogo => ({
    svg: null,
    issues: [finding(rule, 'error', path, message, source)],
  })
  const missing = `${VMC_DRAFT} §4.1`
  if (extnValue === null) {
    return fail('vmc-logotype-missing', 'the certificate has no logotype extension', missing)
  }
  let extn: LogotypeExtn
  try {
    extn = AsnConvert.parse(extnValue, LogotypeExtn)
  } catch (err) {
    return fail(
      'vmc-logotype-invalid',
      `the logotype extension does not decode: ${(err as Error).message}`,
    )
  }
  const info = extn.subjectLogo
  if (info === undefined) {
    return fail('vmc-logotype-missing', 'the logotype extension has no subject logo', missing)
  }
  if (info.direct === undefined) {
    return fail('vmc-logotype-invalid', 'the subject logo is a reference, not embedded data')
  }
  const images = info.direct.image ?? []
  const image = images.find((i) => mediaTypeOf(i) === SVG_TYPE)
  if (image === undefined) {
    const types = images.map(mediaTypeOf).join(', ') || 'none'
    return fail('vmc-logotype-invalid', `no ${SVG_TYPE} subject logo (media types: ${types})`)
  }
  const uri = image.imageDetails.logotypeURI.find((u) => u.startsWith('data:'))
  const data = decodeDataUri(uri ?? image.imageDetails.logotypeURI[0] ?? '')
  if (typeof data === 'string') return fail('vmc-logotype-invalid', data, `RFC 2397 §2; ${RFC3709}`)
  const issues: SvgIssue[] = []
  const svg = uncompress(data, path, issues)
  if (svg !== null) issues.push(...checkHash(image.imageDetails.logotypeHash, svg, data, path))
  return { svg, issues }
}
