import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as x509 from '@peculiar/x509'
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { MarkCertificateOptions } from '../../core/bimi/types.js'
import { createMarkCa, type MarkCa, type MarkOptions } from '../../../test/helpers/mark-ca.js'
import { inspectMarkCertificate, MAX_CERTIFICATES, MAX_PEM_BYTES } from './mark-certificate.js'

const NOW = new Date('2026-03-01T00:00:00Z')
const DAY_MS = 86_400_000
const LOGO =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" ' +
  'viewBox="0 0 100 100">\n  <title>Example Brand</title>\n' +
  '  <rect width="100" height="100" fill="#0a5"/>\n</svg>\n'
const OPTS = { domain: 'example.com', selector: 'default', now: NOW, logoSvg: LOGO }

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

let ca: MarkCa

beforeAll(async () => {
  ca = await createMarkCa(NOW)
})

const issue = (overrides: Partial<MarkOptions> = {}) =>
  ca.issue({
    logotype: { kind: 'gzip', svg: LOGO },
    notBefore: new Date(NOW.getTime() - 30 * DAY_MS),
    notAfter: new Date(NOW.getTime() + 335 * DAY_MS),
    ...overrides,
  })

const rules = (issues: { rule: string }[]) => issues.map((i) => i.rule)

describe('inspectMarkCertificate', () => {
  it('when wired into the services (through the worker pool), then it takes the port options', () => {
    expectTypeOf(inspectMarkCertificate).parameter(1).toEqualTypeOf<MarkCertificateOptions>()
  })

  it('when the embedded logo is byte-identical, then it is ok with no findings', async () => {
    const { chainPem } = await issue()
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(report.errors).toEqual([])
    expect(report.warnings).toEqual([])
    expect(report).toMatchObject({
      ok: true,
      matchesLogo: true,
      embeddedSvg: LOGO,
      sanDnsNames: ['example.com'],
      subject: 'CN=Example Brand, O=Example Brand Inc.',
      issuer: 'CN=policyhost Test Mark Root, O=policyhost tests',
      notAfter: new Date(NOW.getTime() + 335 * DAY_MS),
    })
  })

  it('when no logo is hosted yet, then matchesLogo is null and the SVG returned', async () => {
    const report = inspectMarkCertificate((await issue()).chainPem, { ...OPTS, logoSvg: null })
    expect(report).toMatchObject({ ok: true, matchesLogo: null, embeddedSvg: LOGO })
  })

  it('when the hosted logo differs, then vmc-logotype-mismatch', async () => {
    const other = LOGO.replace('#0a5', '#a05')
    const report = inspectMarkCertificate((await issue()).chainPem, { ...OPTS, logoSvg: other })
    expect(report.ok).toBe(false)
    expect(rules(report.errors)).toEqual(['vmc-logotype-mismatch'])
    expect(report.errors[0]!.message).toMatch(/providers show nothing/)
    expect(report.matchesLogo).toBe(false)
  })

  it('when the logos differ in CRLF and XML declaration, then ok with a warning', async () => {
    const crlf = LOGO.replace(/^<\?xml[^>]*\?>\n/, '').replace(/\n/g, '  \r\n')
    const report = inspectMarkCertificate((await issue()).chainPem, { ...OPTS, logoSvg: crlf })
    expect(report.ok).toBe(true)
    expect(report.matchesLogo).toBe(true)
    expect(rules(report.warnings)).toEqual(['vmc-logotype-canonical'])
  })

  it('when the SVG is embedded uncompressed, then it is read, with a warning', async () => {
    const { chainPem } = await issue({ logotype: { kind: 'plain', svg: LOGO } })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(report).toMatchObject({ ok: true, matchesLogo: true, embeddedSvg: LOGO })
    expect(rules(report.warnings)).toEqual(['vmc-logotype-uncompressed'])
  })

  it('when the certificate has expired, then vmc-expired', async () => {
    const notAfter = new Date(NOW.getTime() - DAY_MS)
    const { chainPem } = await issue({
      notBefore: new Date(NOW.getTime() - 400 * DAY_MS),
      notAfter,
    })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(rules(report.errors)).toEqual(['vmc-expired'])
    expect(report.errors[0]!.path).toBe('/certificate[1]')
  })

  it('when the certificate is not yet valid, then vmc-not-yet-valid', async () => {
    const notBefore = new Date(NOW.getTime() + DAY_MS)
    const { chainPem } = await issue({ notBefore })
    expect(rules(inspectMarkCertificate(chainPem, OPTS).errors)).toEqual(['vmc-not-yet-valid'])
  })

  it('when the certificate expires in 10 days, then ok with a vmc-expiring warning', async () => {
    const { chainPem } = await issue({ notAfter: new Date(NOW.getTime() + 10 * DAY_MS) })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(report.ok).toBe(true)
    expect(rules(report.warnings)).toEqual(['vmc-expiring'])
    expect(report.warnings[0]!.message).toMatch(/in 10 days/)
  })

  it('when the SAN names another domain, then vmc-san lists what was expected', async () => {
    const { chainPem } = await issue({ dnsNames: ['example.org'] })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(rules(report.errors)).toEqual(['vmc-san'])
    expect(report.errors[0]!.message).toMatch(/default\._bimi\.example\.com.*found: example\.org/)
  })

  it.each([
    ['the selector form', ['default._bimi.example.com'], 'example.com'],
    ['the organizational domain', ['example.com'], 'mail.example.com'],
    [
      'the selector form of the organizational domain',
      ['default._bimi.example.com'],
      'm.example.com',
    ],
  ])('when the SAN holds %s, then the domain matches', async (_, dnsNames, domain) => {
    const { chainPem } = await issue({ dnsNames })
    expect(inspectMarkCertificate(chainPem, { ...OPTS, domain }).errors).toEqual([])
  })

  it('when the SAN is for another selector only, then vmc-san', async () => {
    const { chainPem } = await issue({ dnsNames: ['brand2._bimi.example.com'] })
    expect(rules(inspectMarkCertificate(chainPem, OPTS).errors)).toEqual(['vmc-san'])
  })

  it('when the BIMI extended key usage is missing, then vmc-eku', async () => {
    const { chainPem } = await issue({ eku: false })
    expect(rules(inspectMarkCertificate(chainPem, OPTS).errors)).toEqual(['vmc-eku'])
  })

  it('when the issuing CA lacks the BIMI usage, then a vmc-eku-issuer warning', async () => {
    const plainCa = await createMarkCa(NOW, { issuerEku: false })
    const { chainPem } = await plainCa.issue({
      logotype: { kind: 'gzip', svg: LOGO },
      notBefore: new Date(NOW.getTime() - DAY_MS),
      notAfter: new Date(NOW.getTime() + 365 * DAY_MS),
    })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(report.ok).toBe(true)
    expect(report.warnings).toMatchObject([{ rule: 'vmc-eku-issuer', path: '/certificate[2]' }])
  })

  it('when there is no logotype extension, then vmc-logotype-missing', async () => {
    const { chainPem } = await issue({ logotype: { kind: 'none' } })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(rules(report.errors)).toEqual(['vmc-logotype-missing'])
    expect(report).toMatchObject({ embeddedSvg: null, matchesLogo: false })
  })

  it('when the logotype is a PNG, then vmc-logotype-invalid names the media type', async () => {
    const data = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
    const { chainPem } = await issue({ logotype: { kind: 'raw', data, mediaType: 'image/png' } })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(rules(report.errors)).toEqual(['vmc-logotype-invalid'])
    expect(report.errors[0]!.message).toMatch(/image\/png/)
  })

  it('when the logotype is a gzip bomb, then it is refused without inflating', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024), { level: 9 })
    const { chainPem } = await issue({ logotype: { kind: 'raw', data: bomb } })
    const started = performance.now()
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(performance.now() - started).toBeLessThan(500)
    expect(rules(report.errors)).toEqual(['vmc-logotype-too-large'])
    expect(report.embeddedSvg).toBeNull()
  })

  it.each([
    ['garbage', 'hello, world'],
    [
      'a certificate block of garbage',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
    ],
    ['a truncated block', '-----BEGIN CERTIFICATE-----\nMIIB'],
    [
      'a private key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
    ],
    ['more than the byte cap', 'x'.repeat(MAX_PEM_BYTES + 1)],
  ])('when the upload is %s, then vmc-parse and no throw', (_, pem) => {
    const report = inspectMarkCertificate(pem, OPTS)
    expect(report).toMatchObject({ ok: false, subject: null, sanDnsNames: [], matchesLogo: null })
    expect(rules(report.errors)).toEqual(['vmc-parse'])
  })

  it('when an extension inside the certificate is malformed, then vmc-parse', async () => {
    const badSan = new x509.Extension('2.5.29.17', false, new Uint8Array([0x30, 0x03, 0x82]))
    const { chainPem } = await issue({ extraExtensions: [badSan] })
    const report = inspectMarkCertificate(chainPem, OPTS)
    expect(rules(report.errors)).toEqual(['vmc-parse'])
  })

  it('when a private key rides along with the chain, then vmc-parse', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const pem = (await issue()).chainPem + key.export({ type: 'pkcs8', format: 'pem' })
    const report = inspectMarkCertificate(pem, OPTS)
    expect(rules(report.errors)).toEqual(['vmc-parse'])
    expect(report.errors[0]!.message).not.toMatch(/BEGIN/)
  })

  it('when there are more certificates than the cap, then vmc-parse', async () => {
    const { leafPem } = await issue()
    const report = inspectMarkCertificate(`${leafPem}\n`.repeat(MAX_CERTIFICATES + 1), OPTS)
    expect(report.errors[0]!.message).toMatch(/at most 10/)
  })

  it('when the chain is in the wrong order, then vmc-chain-order, leaf still read', async () => {
    const { leafPem } = await issue()
    const report = inspectMarkCertificate(`${ca.rootPem}\n${leafPem}\n`, OPTS)
    expect(report.errors).toMatchObject([{ rule: 'vmc-chain-order', path: '/certificate[2]' }])
    expect(report).toMatchObject({ sanDnsNames: ['example.com'], matchesLogo: true })
  })

  it('when the next certificate is not the issuer, then vmc-chain-order', async () => {
    const { leafPem } = await issue()
    const stranger = (await createMarkCa(NOW)).rootPem
    const report = inspectMarkCertificate(`${leafPem}\n${stranger}\n`, OPTS)
    expect(report.errors).toMatchObject([{ rule: 'vmc-chain-order', path: '/certificate[1]' }])
  })

  it('when only the leaf is uploaded, then a vmc-chain-incomplete warning', async () => {
    const report = inspectMarkCertificate((await issue()).leafPem, OPTS)
    expect(report.ok).toBe(true)
    expect(rules(report.warnings)).toEqual(['vmc-chain-incomplete'])
  })

  it.runIf(hasOpenssl)(
    'when openssl reads the certificate, then the logotype DER is well formed',
    async () => {
      const { leafPem, logotypeDer } = await issue()
      const dir = mkdtempSync(join(tmpdir(), 'policyhost-vmc-'))
      try {
        writeFileSync(join(dir, 'leaf.pem'), leafPem)
        writeFileSync(join(dir, 'logotype.der'), logotypeDer!)
        const text = execFileSync('openssl', [
          'x509',
          '-noout',
          '-text',
          '-in',
          join(dir, 'leaf.pem'),
        ])
        expect(text.toString()).toMatch(/1\.3\.6\.1\.5\.5\.7\.1\.12|Logotype/)
        expect(text.toString()).toMatch(
          /Brand Indicator for Message Identification|1\.3\.6\.1\.5\.5\.7\.3\.31/,
        )
        expect(text.toString()).toContain('DNS:example.com')
        // RFC 3709 §4.1: subjectLogo [2] EXPLICIT → direct [0] IMPLICIT LogotypeData → image.
        const args = ['asn1parse', '-inform', 'DER', '-in', join(dir, 'logotype.der')]
        const asn1 = execFileSync('openssl', args).toString()
        expect(asn1).toMatch(/cont \[ 2 \][\s\S]*cont \[ 0 \][\s\S]*IA5STRING\s*:image\/svg\+xml/)
        expect(asn1).toMatch(/OBJECT\s*:sha256[\s\S]*IA5STRING\s*:data:image\/svg\+xml;base64,H4sI/)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  )
})
