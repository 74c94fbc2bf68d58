import { gzipSync } from 'node:zlib'
import { AsnConvert } from '@peculiar/asn1-schema'
import { LogotypeExtn, LogotypeInfo, LogotypeReference } from '@peculiar/asn1-x509-logotype'
import { describe, expect, it } from 'vitest'
import { logotypeExtension } from '../../../test/helpers/mark-ca.js'
import { MAX_EMBEDDED_SVG_BYTES, readLogotype } from './logotype.js'

const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>'
const PATH = '/certificate[1]/logotype'

/** A logotype extension whose single data: URI is `uri`. */
function withUri(uri: string): ArrayBuffer {
  const der = logotypeExtension('image/svg+xml', Buffer.from(SVG), Buffer.from(SVG))
  const extn = AsnConvert.parse(der, LogotypeExtn)
  extn.subjectLogo!.direct!.image![0]!.imageDetails.logotypeURI = [uri]
  return AsnConvert.serialize(extn)
}

const read = (der: ArrayBuffer | Uint8Array) =>
  readLogotype(der instanceof Uint8Array ? der.slice().buffer : der, PATH)
const rules = (issues: { rule: string }[]) => issues.map((i) => i.rule)

describe('readLogotype', () => {
  it('when the SVG is gzipped and hashed uncompressed, then it is read without findings', () => {
    const result = read(logotypeExtension('image/svg+xml', gzipSync(SVG), Buffer.from(SVG)))
    expect(result).toEqual({ svg: Buffer.from(SVG), issues: [] })
  })

  it('when the hash is over the compressed bytes, then it is accepted as well', () => {
    const gz = gzipSync(SVG)
    expect(read(logotypeExtension('image/svg+xml', gz, gz)).issues).toEqual([])
  })

  it('when the hash matches neither form, then vmc-logotype-hash', () => {
    const result = read(logotypeExtension('image/svg+xml', gzipSync(SVG), Buffer.from('other')))
    expect(result.issues).toMatchObject([
      { rule: 'vmc-logotype-hash', severity: 'error', path: PATH },
    ])
    expect(result.svg?.toString()).toBe(SVG)
  })

  it.each([
    ['an https URI (never fetched)', 'https://example.com/logo.svg', /not a data: URI/],
    ['another media type', 'data:image/png;base64,AAAA', /image\/png/],
    ['percent-encoding', 'data:image/svg+xml,%3Csvg%3E', /not base64/],
    ['bad base64', 'data:image/svg+xml;base64,!!!!', /not valid base64/],
    [
      'corrupt gzip',
      `data:image/svg+xml;base64,${Buffer.from([0x1f, 0x8b, 9, 9]).toString('base64')}`,
      /gzip/,
    ],
  ])('when the URI has %s, then vmc-logotype-invalid', (_, uri, message) => {
    const result = read(withUri(uri))
    expect(rules(result.issues)).toEqual(['vmc-logotype-invalid'])
    expect(result.issues[0]!.message).toMatch(message)
    expect(result.svg).toBeNull()
  })

  it('when the media type has parameters, then the SVG is still read', () => {
    const uri = `data:image/svg+xml;charset=utf-8;base64,${gzipSync(SVG).toString('base64')}`
    expect(read(withUri(uri)).svg?.toString()).toBe(SVG)
  })

  it('when the uncompressed SVG is over the cap, then vmc-logotype-too-large', () => {
    const big = Buffer.alloc(MAX_EMBEDDED_SVG_BYTES + 1, 0x20)
    expect(rules(read(logotypeExtension('image/svg+xml', big, big)).issues)).toEqual([
      'vmc-logotype-uncompressed',
      'vmc-logotype-too-large',
    ])
  })

  it('when the subject logo is an indirect reference, then vmc-logotype-invalid', () => {
    const indirect = new LogotypeReference({ refStructHash: [], refStructURI: ['https://x/'] })
    const extn = new LogotypeExtn({ subjectLogo: new LogotypeInfo({ indirect }) })
    expect(rules(read(AsnConvert.serialize(extn)).issues)).toEqual(['vmc-logotype-invalid'])
  })

  it('when only an issuer logo is present, then vmc-logotype-missing', () => {
    const der = logotypeExtension('image/svg+xml', Buffer.from(SVG), Buffer.from(SVG))
    const extn = AsnConvert.parse(der, LogotypeExtn)
    const moved = new LogotypeExtn({ issuerLogo: extn.subjectLogo! })
    expect(rules(read(AsnConvert.serialize(moved)).issues)).toEqual(['vmc-logotype-missing'])
  })

  it('when the extension is not DER, then vmc-logotype-invalid and no throw', () => {
    expect(rules(read(new Uint8Array([0x30, 0x05, 1, 2])).issues)).toEqual(['vmc-logotype-invalid'])
  })
})
