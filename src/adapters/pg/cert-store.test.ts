import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, type TestStore } from '../../../test/helpers/repo-stores.js'
import { SKIP_POSTGRES, SKIP_POSTGRES_NOTE } from '../../../test/helpers/postgres.js'
import type { CertificateBundle, CertStore } from '../../core/certs/types.js'
import { localCa, type LocalCa } from '../certs/local-ca.js'
import { SealedError, SecretsKey } from '../crypto/sealed.js'
import { bundleRow, pgCertStore } from './cert-store.js'
import { certificateBundles } from './schema.js'

const HOST = 'mta-sts.example.com'
const OTHER = 'mta-sts.example.net'
const signal = new AbortController().signal
const RAW_KEY = randomBytes(32)
const key = SecretsKey.fromBytes(RAW_KEY)
let caDir: string
let ca: LocalCa

/** The base64 body of a PEM: what would show if the key were stored in the clear. */
const pemBody = (pem: string) => pem.split('\n').slice(1, -2).join('')

beforeAll(async () => {
  caDir = await mkdtemp(join(tmpdir(), 'policyhost-pg-certs-ca-'))
  ca = await localCa(caDir, { keyType: 'ecdsa-p256', clock: () => new Date() })
})
afterAll(() => rm(caDir, { recursive: true, force: true }))

describe.skipIf(SKIP_POSTGRES)(`pgCertStore${SKIP_POSTGRES_NOTE}`, () => {
  let store: TestStore
  let certs: CertStore
  beforeEach(async () => {
    store = await openTestStore('postgres')
    certs = pgCertStore(store.pg!.db, key)
  })
  afterEach(() => store.close())

  const reasonOf = async (hostname: string, depth: 'full' | 'digests' = 'full') => {
    const result = await certs.read(hostname, depth)
    expect(result.status).toBe('corrupt')
    return result.status === 'corrupt' ? result.reason : ''
  }
  const plant = (bundle: CertificateBundle, sealWith = key) =>
    store.pg!.db.insert(certificateBundles).values(bundleRow(bundle, sealWith, new Date()))

  it('when nothing was written, then read reports missing and there is no serial', async () => {
    expect(await certs.read(HOST)).toEqual({ status: 'missing' })
    expect(await certs.currentSerial(HOST)).toBeNull()
  })

  it('when a bundle is written, then another instance reads an equal bundle at both depths', async () => {
    const bundle = await ca.issue(HOST, signal)
    await certs.write(bundle)
    const elsewhere = pgCertStore(store.pg!.db, SecretsKey.parse(RAW_KEY.toString('hex'))!)
    expect(await elsewhere.read(HOST)).toEqual({ status: 'ok', bundle })
    expect(await elsewhere.read(HOST, 'digests')).toEqual({ status: 'ok', bundle })
    expect(await certs.currentSerial(HOST)).toBe(bundle.serial)
  })

  it('when a bundle is written, then the key column holds no PEM, only the sealed key', async () => {
    const bundle = await ca.issue(HOST, signal)
    await certs.write(bundle)
    const [row] = await store.sql<{ key_sealed: Buffer; chain_pem: string }>(
      'SELECT key_sealed, chain_pem FROM certificate_bundles WHERE hostname = ?',
      HOST,
    )
    const raw = row!.key_sealed.toString('latin1')
    expect(raw).not.toContain('PRIVATE KEY')
    expect(raw).not.toContain(pemBody(bundle.keyPem).slice(0, 32))
    expect(row!.key_sealed.toString('base64')).not.toContain(pemBody(bundle.keyPem).slice(0, 32))
    expect(row!.key_sealed[0]).toBe(key.id)
    expect(row!.chain_pem).toBe(bundle.chainPem)
  })

  it('when a second bundle is written, then it replaces the first in the one row', async () => {
    const [first, second] = [await ca.issue(HOST, signal), await ca.issue(HOST, signal)]
    await certs.write(first)
    await certs.write(second)
    expect(await certs.read(HOST)).toEqual({ status: 'ok', bundle: second })
    expect(await certs.currentSerial(HOST)).toBe(second.serial)
    expect(await store.sql('SELECT hostname FROM certificate_bundles')).toHaveLength(1)
  })

  it('when bundles are written, replaced and removed, then currentSerials gives every stored hostname its serial in one read', async () => {
    const OTHER = `b.${HOST}`
    expect(await certs.currentSerials!()).toEqual(new Map())
    const [first, second, other] = [
      await ca.issue(HOST, signal),
      await ca.issue(HOST, signal),
      await ca.issue(OTHER, signal),
    ]
    await certs.write(first)
    await certs.write(other)
    await certs.write(second)
    expect(await certs.currentSerials!()).toEqual(
      new Map([
        [HOST, second.serial],
        [OTHER, other.serial],
      ]),
    )
    await certs.remove(OTHER)
    expect(await certs.currentSerials!()).toEqual(new Map([[HOST, second.serial]]))
  })

  it('when two instances write one hostname at once, then one complete bundle is left', async () => {
    const bundles = await Promise.all([1, 2, 3, 4].map(() => ca.issue(HOST, signal)))
    const other = pgCertStore(store.pg!.db, key)
    await Promise.all(bundles.map((b, i) => (i % 2 ? certs : other).write(b)))
    const result = await certs.read(HOST)
    expect(result.status).toBe('ok')
    const stored = result.status === 'ok' ? result.bundle : null
    expect(bundles).toContainEqual(stored)
    expect(await certs.read(HOST, 'digests')).toEqual(result)
    expect(await certs.currentSerial(HOST)).toBe(stored?.serial)
  })

  it.each([
    [
      'names another host',
      async (b: CertificateBundle) => ({ ...b, hostname: OTHER }),
      /valid for/,
    ],
    [
      'has a key that does not match',
      async (b: CertificateBundle) => ({ ...b, keyPem: (await ca.issue(OTHER, signal)).keyPem }),
      /key does not match/,
    ],
  ])('when the stored certificate %s, then a full read refuses it', async (_, change, reason) => {
    const planted = await change(await ca.issue(OTHER, signal))
    await plant({ ...planted, hostname: HOST })
    expect(await reasonOf(HOST)).toMatch(reason)
  })

  it.each([
    ['its key is altered', `set_byte(key_sealed, length(key_sealed) - 1, 0)`],
    [
      'it holds the key of another hostname',
      `(SELECT key_sealed FROM certificate_bundles WHERE hostname = '${OTHER}')`,
    ],
  ])('when %s, then neither depth opens it and the reason holds no key', async (_, value) => {
    const [bundle, other] = [await ca.issue(HOST, signal), await ca.issue(OTHER, signal)]
    await certs.write(bundle)
    await certs.write(other)
    await store.sql(`UPDATE certificate_bundles SET key_sealed = ${value} WHERE hostname = ?`, HOST)
    for (const depth of ['full', 'digests'] as const) {
      const reason = await reasonOf(HOST, depth)
      expect(reason).toMatch(/certificate:mta-sts\.example\.com does not authenticate/)
      for (const pem of [bundle.keyPem, other.keyPem]) {
        expect(reason).not.toContain(pemBody(pem).slice(0, 16))
      }
      expect(reason).not.toContain(RAW_KEY.toString('hex'))
    }
  })

  it('when a column is edited after the write, then a read by digests reports corrupt', async () => {
    await certs.write(await ca.issue(HOST, signal))
    await store.sql(
      `UPDATE certificate_bundles SET not_after = not_after + 1000 WHERE hostname = ?`,
      HOST,
    )
    expect(await reasonOf(HOST, 'digests')).toMatch(/digest/)
  })

  it('when the store is read with another SECRETS_KEY, then it throws instead of reporting corrupt', async () => {
    let otherKey = SecretsKey.fromBytes(randomBytes(32))
    while (otherKey.id === key.id) otherKey = SecretsKey.fromBytes(randomBytes(32))
    await plant(await ca.issue(HOST, signal), otherKey)
    const error = await certs.read(HOST).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(SealedError)
    expect((error as SealedError).message).toMatch(/another key .* SECRETS_KEY/)
  })

  it('when the bundle is removed, then it is missing and removing again is harmless', async () => {
    await certs.write(await ca.issue(HOST, signal))
    await certs.write(await ca.issue(OTHER, signal))
    await certs.remove(HOST)
    await certs.remove(HOST)
    expect(await certs.read(HOST)).toEqual({ status: 'missing' })
    expect(await certs.currentSerial(HOST)).toBeNull()
    expect((await certs.read(OTHER)).status).toBe('ok')
  })

  it.each([
    ['an inconsistent bundle', (b: CertificateBundle) => ({ ...b, hostname: OTHER })],
    ['a serial that disagrees', (b: CertificateBundle) => ({ ...b, serial: '1234' })],
    ['a key of another bundle', (b: CertificateBundle) => ({ ...b, keyPem: ca.rootPem })],
  ])('when asked to write %s, then it refuses and stores nothing', async (_, change) => {
    const bundle = change(await ca.issue(HOST, signal))
    await expect(certs.write(bundle)).rejects.toThrow(/refusing to store/)
    expect(await certs.read(bundle.hostname)).toEqual({ status: 'missing' })
  })

  it.each(['../x', 'A.example', ''])(
    'when the hostname is %j, then every call refuses it',
    async (name) => {
      await expect(certs.read(name)).rejects.toThrow(/invalid hostname/)
      await expect(certs.currentSerial(name)).rejects.toThrow(/invalid hostname/)
      await expect(certs.remove(name)).rejects.toThrow(/invalid hostname/)
    },
  )
})
