import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, createServer } from 'node:tls'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CertificateBundle } from '../../core/certs/types.js'
import { localCa } from './local-ca.js'
import { generateKeyPem, splitPemChain } from './x509.js'

const HOST = 'mta-sts.example.com'
const signal = new AbortController().signal
const now = () => new Date()
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policyhost-ca-'))
})

afterEach(() => rm(dir, { recursive: true, force: true }))

const leafOf = (bundle: CertificateBundle) =>
  new X509Certificate(splitPemChain(bundle.chainPem)[0]!)

/** Serves `bundle` on loopback and connects as a client trusting `rootPem` only. */
async function handshake(bundle: CertificateBundle, rootPem: string, servername: string) {
  const server = createServer({ key: bundle.keyPem, cert: bundle.chainPem }, (s) => s.end())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    return await new Promise<{ authorized: boolean; error?: string }>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca: rootPem })
      socket.once('secureConnect', () => {
        resolve({ authorized: socket.authorized })
        socket.end()
      })
      socket.once('error', (err: NodeJS.ErrnoException) =>
        resolve({ authorized: false, error: err.code }),
      )
    })
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

describe('localCa', () => {
  it('when opened twice, then the root is persisted and reused', async () => {
    const first = await localCa(dir, { keyType: 'ecdsa-p256', clock: now })
    const second = await localCa(dir, { keyType: 'rsa-2048', clock: now })
    expect(second.rootPem).toBe(first.rootPem)
    expect(first.name).toBe('local')
    expect(first.rootPath).toBe(join(dir, 'local-ca', 'root.pem'))
    expect(await readFile(first.rootPath, 'utf8')).toBe(first.rootPem)
    expect((await stat(join(dir, 'local-ca', 'root.key'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'local-ca'))).mode & 0o777).toBe(0o700)
    expect((await readdir(dir)).sort()).toEqual(['local-ca'])
  })

  it('when opened concurrently on a fresh folder, then all share one root', async () => {
    const cas = await Promise.all(
      [1, 2, 3].map(() => localCa(dir, { keyType: 'ecdsa-p256', clock: now })),
    )
    expect(new Set(cas.map((c) => c.rootPem)).size).toBe(1)
    expect(await readdir(dir)).toEqual(['local-ca'])
  })

  it('when the root is created, then it is a P-256 CA that signs leaves only', async () => {
    const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: now })
    const root = new X509Certificate(ca.rootPem)
    expect(root.ca).toBe(true)
    expect(root.subject).toMatch(/^CN=policyhost Local Root CA [0-9a-f]{8}$/)
    expect(root.verify(root.publicKey)).toBe(true)
    expect(root.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' })
    const years = (Date.parse(root.validTo) - Date.parse(root.validFrom)) / (365.25 * 86_400_000)
    expect(Math.round(years)).toBe(10)
  })

  it.each([
    ['root.key is replaced by another key', 'root.key', () => generateKeyPem('ecdsa-p256')],
    ['root.key is garbage', 'root.key', () => 'garbage'],
    ['root.pem is garbage', 'root.pem', () => 'garbage'],
  ])('when %s, then opening refuses with a clear error', async (_, file, content) => {
    await localCa(dir, { keyType: 'ecdsa-p256', clock: now })
    await writeFile(join(dir, 'local-ca', file), content())
    await expect(localCa(dir, { keyType: 'ecdsa-p256', clock: now })).rejects.toThrow(
      /local CA in .*root\.key does not match root\.pem/,
    )
  })

  it('when a leaf is issued, then it verifies against the root with our fields', async () => {
    const fixed = new Date('2030-01-02T03:04:05.678Z')
    const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: () => fixed })
    const bundle = await ca.issue(HOST, signal)
    const leaf = leafOf(bundle)
    const root = new X509Certificate(ca.rootPem)
    expect(leaf.verify(root.publicKey)).toBe(true)
    expect(leaf.checkIssued(root)).toBe(true)
    expect(leaf.ca).toBe(false)
    expect(leaf.subject).toBe(`CN=${HOST}`)
    expect(leaf.subjectAltName).toBe(`DNS:${HOST}`)
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(bundle.notBefore).toEqual(new Date('2030-01-02T03:03:05Z'))
    expect(bundle.notAfter).toEqual(new Date('2030-01-09T03:04:05Z'))
    expect(bundle.chainPem).toBe(leaf.toString() + root.toString())
    expect(bundle.serial).toMatch(/^[4-7][0-9a-f]{31}$/)
    expect((await ca.issue(HOST, signal)).serial).not.toBe(bundle.serial)
  })

  it.each([
    ['the default', undefined, 'ec', { namedCurve: 'prime256v1' }],
    ['ecdsa-p256', 'ecdsa-p256', 'ec', { namedCurve: 'prime256v1' }],
    ['rsa-2048', 'rsa-2048', 'rsa', { modulusLength: 2048 }],
  ] as const)(
    'when the key type is %s, then the leaf key is %s',
    async (_, type, kind, details) => {
      const ca = await localCa(dir, { keyType: type ?? 'ecdsa-p256', clock: now })
      const bundle = await ca.issue(HOST, signal)
      const key = createPrivateKey(bundle.keyPem)
      expect(key.asymmetricKeyType).toBe(kind)
      expect(key.asymmetricKeyDetails).toMatchObject(details)
      expect(leafOf(bundle).publicKey.asymmetricKeyType).toBe(kind)
    },
  )

  it.each([
    ['the hostname the leaf is for', HOST, { authorized: true }],
    ['another hostname', 'mta-sts.example.org', { error: 'ERR_TLS_CERT_ALTNAME_INVALID' }],
  ])('when a TLS client asks for %s, then the handshake result is %j', async (_, name, result) => {
    const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: now })
    expect(await handshake(await ca.issue(HOST, signal), ca.rootPem, name)).toMatchObject(result)
  })

  it('when the client trusts another local root, then the handshake fails', async () => {
    const ca = await localCa(join(dir, 'one'), { keyType: 'ecdsa-p256', clock: now })
    const stranger = await localCa(join(dir, 'two'), { keyType: 'ecdsa-p256', clock: now })
    const result = await handshake(await ca.issue(HOST, signal), stranger.rootPem, HOST)
    expect(result.authorized).toBe(false)
    expect(result.error).toBeDefined()
  })

  it.each([
    ['an aborted signal', HOST, AbortSignal.abort(), /abort/i],
    ['an invalid hostname', '../etc', signal, /invalid hostname/],
  ])('when issuing with %s, then it refuses', async (_, hostname, abort, message) => {
    const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: now })
    await expect(ca.issue(hostname, abort)).rejects.toThrow(message)
  })

  it('when the leaf would outlive the root, then issuing refuses', async () => {
    let clock = new Date()
    const ca = await localCa(dir, { keyType: 'ecdsa-p256', clock: () => clock })
    clock = new Date(clock.getTime() + 10 * 365 * 86_400_000)
    await expect(ca.issue(HOST, signal)).rejects.toThrow(/root expires/)
  })
})
