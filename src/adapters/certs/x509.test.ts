import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CertificateBundle } from '../../core/certs/types.js'
import { isStorableHostname } from './hostname.js'
import { localCa } from './local-ca.js'
import { generateKeyPem, inspectBundle, normalizeSerial, splitPemChain } from './x509.js'

const HOST = 'mta-sts.example.com'
const OTHER = 'mta-sts.example.org'
const signal = new AbortController().signal
let dir: string
let bundle: CertificateBundle
let other: CertificateBundle

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policyhost-x509-'))
  const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: () => new Date() })
  bundle = await ca.issue(HOST, signal)
  other = await ca.issue(OTHER, signal)
})

afterAll(() => rm(dir, { recursive: true, force: true }))

describe('inspectBundle', () => {
  it('when the bundle comes from the local CA, then it is ok and its metadata is the leaf', () => {
    const result = inspectBundle(HOST, bundle.chainPem, bundle.keyPem)
    expect(result).toEqual({ ok: true, bundle })
    const leaf = new X509Certificate(splitPemChain(bundle.chainPem)[0]!)
    expect(bundle.serial).toBe(normalizeSerial(leaf.serialNumber))
    expect(bundle.serial).toMatch(/^[1-9a-f][0-9a-f]*$/)
    expect(bundle.issuer).toMatch(/^CN=policyhost Local Root CA [0-9a-f]{8}$/)
    expect(bundle.notAfter.getTime()).toBe(new Date(leaf.validTo).getTime())
  })

  it.each([
    ['the key belongs to another bundle', () => [HOST, bundle.chainPem, other.keyPem], /key/],
    ['the key is garbage', () => [HOST, bundle.chainPem, 'not a key'], /key/],
    ['the hostname is another', () => [OTHER, bundle.chainPem, bundle.keyPem], /not valid for/],
    [
      'a parent domain is asked',
      () => ['example.com', bundle.chainPem, bundle.keyPem],
      /not valid/,
    ],
    ['the chain is garbage', () => [HOST, 'garbage', bundle.keyPem], /no certificate/],
    ['the chain is empty', () => [HOST, '', bundle.keyPem], /no certificate/],
    [
      'a block holds bad base64',
      () => [HOST, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', bundle.keyPem],
      /does not parse/,
    ],
    [
      'the chain is cut inside its second certificate',
      () => [HOST, bundle.chainPem.slice(0, -200), bundle.keyPem],
      /truncated/,
    ],
    [
      'the chain is in the wrong order',
      () => [HOST, splitPemChain(bundle.chainPem).reverse().join(''), bundle.keyPem],
      /leaf first|key/,
    ],
  ])('when %s, then it is not ok', (_, args, reason) => {
    const [hostname, chainPem, keyPem] = args() as [string, string, string]
    const result = inspectBundle(hostname, chainPem, keyPem)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toMatch(reason)
  })
})

describe('splitPemChain', () => {
  it('when the PEM has CRLF line ends and text around the blocks, then it finds each block', () => {
    const [leaf, root] = splitPemChain(bundle.chainPem)
    const messy = `subject=leaf\r\n${leaf!.replace(/\n/g, '\r\n')}\r\nbetween\r\n${root}trailing`
    const blocks = splitPemChain(messy)
    expect(blocks).toHaveLength(2)
    expect(blocks.map((b) => new X509Certificate(b).serialNumber)).toEqual(
      [leaf!, root!].map((b) => new X509Certificate(b).serialNumber),
    )
    expect(inspectBundle(HOST, messy, bundle.keyPem)).toEqual({ ok: true, bundle })
  })

  it('when there is no certificate block, then it returns none', () => {
    expect(splitPemChain('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toEqual(
      [],
    )
  })
})

describe('generateKeyPem', () => {
  it.each([
    ['ecdsa-p256', 'ec', { namedCurve: 'prime256v1' }],
    ['rsa-2048', 'rsa', { modulusLength: 2048 }],
  ] as const)('when %s is asked, then it returns a PKCS#8 %s key', (type, kind, details) => {
    const pem = generateKeyPem(type)
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
    const key = createPrivateKey(pem)
    expect(key.asymmetricKeyType).toBe(kind)
    expect(key.asymmetricKeyDetails).toMatchObject(details)
  })
})

describe('normalizeSerial', () => {
  it.each([
    ['00FF01', 'ff01'],
    ['ff01', 'ff01'],
    ['0A', 'a'],
    ['00', '0'],
  ])('when the serial is %j, then it becomes %j', (input, expected) => {
    expect(normalizeSerial(input)).toBe(expected)
  })
})

describe('isStorableHostname', () => {
  it.each([
    [HOST, true],
    ['a-b.example', true],
    ['', false],
    ['../x', false],
    ['a/b', false],
    ['A..b', false],
    ['a..b', false],
    // The local CA's certificate for SERVICE_HOST=localhost; other single labels stay the store's.
    ['localhost', true],
    ['local-ca', false],
    ['myhost', false],
    ['Mta-Sts.example.com', false],
    ['-a.example.com', false],
    ['a.example.com.', false],
    ['.', false],
    ['..', false],
    [`${'a'.repeat(64)}.com`, false],
  ])('when the hostname is %j, then storable is %s', (hostname, expected) => {
    expect(isStorableHostname(hostname)).toBe(expected)
  })
})
