import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises'
import { symlink, truncate, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { CertificateBundle, CertStore } from '../../core/certs/types.js'
import { fileCertStore } from './file-store.js'
import { localCa, type LocalCa } from './local-ca.js'

const HOST = 'mta-sts.example.com'
const signal = new AbortController().signal
let caDir: string
let ca: LocalCa
let dir: string
let store: CertStore

const mode = async (path: string) => (await stat(path)).mode & 0o777
const current = (...parts: string[]) => join(dir, HOST, 'current', ...parts)

beforeAll(async () => {
  caDir = await mkdtemp(join(tmpdir(), 'policyhost-store-ca-'))
  ca = await localCa(caDir, { keyType: 'ecdsa-p256', clock: () => new Date() })
})

afterAll(() => rm(caDir, { recursive: true, force: true }))

beforeEach(async (context) => {
  dir = join(await mkdtemp(join(tmpdir(), 'policyhost-store-')), 'certs')
  store = fileCertStore(dir)
  context.onTestFinished(() => rm(join(dir, '..'), { recursive: true, force: true }))
})

describe('fileCertStore', () => {
  it('when nothing was written, then read reports missing', async () => {
    expect(await store.read(HOST)).toEqual({ status: 'missing' })
  })

  it('when a bundle is written, then read returns an equal bundle', async () => {
    const bundle = await ca.issue(HOST, signal)
    await store.write(bundle)
    expect(await store.read(HOST)).toEqual({ status: 'ok', bundle })
    expect(await fileCertStore(dir).read(HOST)).toEqual({ status: 'ok', bundle })
  })

  it('when a bundle is written, then the key is 0600 and the folders 0700', async () => {
    await store.write(await ca.issue(HOST, signal))
    expect(await mode(current('key.pem'))).toBe(0o600)
    expect(await mode(dir)).toBe(0o700)
    expect(await mode(join(dir, HOST))).toBe(0o700)
    expect(await mode(current())).toBe(0o700)
    const meta = JSON.parse(await readFile(current('meta.json'), 'utf8'))
    expect(meta).toMatchObject({ hostname: HOST, writtenAt: expect.any(String) })
  })

  it('when a second bundle is written, then it replaces the first, whose files go', async () => {
    const first = await ca.issue(HOST, signal)
    const second = await ca.issue(HOST, signal)
    await store.write(first)
    const [firstVersion] = (await readdir(join(dir, HOST))).filter((n) => n !== 'current')
    await store.write(second)
    expect(await store.read(HOST)).toEqual({ status: 'ok', bundle: second })
    const names = await readdir(join(dir, HOST))
    expect(names).not.toContain(firstVersion)
    expect(names).toHaveLength(2)
    expect(names).toEqual(
      expect.arrayContaining(['current', expect.stringMatching(`^${second.serial}-\\d+$`)]),
    )
  })

  it('when one bundle is written twice at once, then both succeed and it reads ok', async () => {
    const bundle = await ca.issue(HOST, signal)
    await Promise.all([store.write(bundle), store.write(bundle)])
    expect(await store.read(HOST)).toEqual({ status: 'ok', bundle })
    expect(await readdir(join(dir, HOST))).toHaveLength(2)
  })

  const damages: [string, (bundle: CertificateBundle) => Promise<unknown>, RegExp][] = [
    ['chain.pem is cut in half', async () => truncate(current('chain.pem'), 400), /truncated/],
    [
      'chain.pem is cut right after the leaf',
      async (b) =>
        writeFile(current('chain.pem'), b.chainPem.split(/(?<=-----\n)(?=-----BEGIN)/)[0]!),
      /chain/,
    ],
    ['chain.pem is empty', async () => truncate(current('chain.pem'), 0), /no certificate/],
    ['chain.pem is deleted', async () => unlink(current('chain.pem')), /chain\.pem: ENOENT/],
    [
      'key.pem holds another key',
      async () => writeFile(current('key.pem'), (await ca.issue(HOST, signal)).keyPem),
      /key does not match/,
    ],
    ['meta.json is garbage', async () => writeFile(current('meta.json'), '{not json'), /meta/],
    [
      'meta.json names another serial',
      async () => {
        const meta = JSON.parse(await readFile(current('meta.json'), 'utf8'))
        await writeFile(current('meta.json'), JSON.stringify({ ...meta, serial: 'abc' }))
      },
      /serial/,
    ],
    [
      'current is dangling',
      async () => rm(join(dir, HOST, await readlink(current())), { recursive: true }),
      /cannot read .*ENOENT/,
    ],
    [
      'current is not a symlink',
      async () => {
        await unlink(join(dir, HOST, 'current'))
        await writeFile(join(dir, HOST, 'current'), 'x')
      },
      /version directory/,
    ],
    [
      'current points outside the hostname folder',
      async () => {
        await unlink(join(dir, HOST, 'current'))
        await symlink('../other.example.com/1-1', join(dir, HOST, 'current'))
      },
      /version directory/,
    ],
  ]

  it.each(damages)('when %s, then read reports corrupt, never ok', async (_, damage, reason) => {
    const bundle = await ca.issue(HOST, signal)
    await store.write(bundle)
    await damage(bundle)
    const result = await store.read(HOST)
    expect(result.status).toBe('corrupt')
    expect(result.status === 'corrupt' ? result.reason : '').toMatch(reason)
  })

  it.each(damages)('when %s, then a read by digests reports corrupt too', async (_, damage) => {
    const bundle = await ca.issue(HOST, signal)
    await store.write(bundle)
    await damage(bundle)
    const result = await store.read(HOST, 'digests')
    expect(result.status).toBe('corrupt')
    expect(result.status === 'corrupt' ? result.reason : '').not.toBe('')
  })

  it('when nothing is damaged, then a read by digests returns what the full read returns', async () => {
    const bundle = await ca.issue(HOST, signal)
    await store.write(bundle)
    const full = await store.read(HOST, 'full')

    expect(full).toEqual({ status: 'ok', bundle })
    expect(await store.read(HOST, 'digests')).toEqual(full)
  })

  it.each(['full', 'digests'] as const)(
    'when the certificate names another host, then a %s read reports corrupt',
    async (depth) => {
      const bundle = await ca.issue(HOST, signal)
      await store.write(bundle)
      await mkdir(join(dir, 'mta-sts.example.net'), { recursive: true })
      const version = (await readdir(join(dir, HOST))).find((n) => n !== 'current')!
      await symlink(join('..', HOST, version), join(dir, 'mta-sts.example.net', 'current'))
      expect((await store.read('mta-sts.example.net', depth)).status).toBe('corrupt')
    },
  )

  it('when a crash left a .tmp- folder, then read ignores it and a write cleans it', async () => {
    const first = await ca.issue(HOST, signal)
    await store.write(first)
    const stray = join(dir, HOST, '.tmp-deadbeef')
    await mkdir(stray)
    await writeFile(join(stray, 'chain.pem'), first.chainPem.slice(0, 100))
    expect(await store.read(HOST)).toEqual({ status: 'ok', bundle: first })
    await store.write(await ca.issue(HOST, signal))
    await expect(lstat(stray)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('when a crash left only a .tmp- folder, then read reports missing', async () => {
    await mkdir(join(dir, HOST, '.tmp-deadbeef'), { recursive: true })
    expect(await store.read(HOST)).toEqual({ status: 'missing' })
  })

  it('when the bundle is removed, then its key material is gone', async () => {
    await store.write(await ca.issue(HOST, signal))
    await store.remove(HOST)
    await expect(lstat(join(dir, HOST))).rejects.toMatchObject({ code: 'ENOENT' })
    expect(await store.read(HOST)).toEqual({ status: 'missing' })
    await expect(store.remove(HOST)).resolves.toBeUndefined()
  })

  it.each([
    [
      'an inconsistent bundle',
      (b: CertificateBundle) => ({ ...b, hostname: 'mta-sts.example.org' }),
    ],
    ['a serial that disagrees', (b: CertificateBundle) => ({ ...b, serial: '1234' })],
    ['a key of another bundle', (b: CertificateBundle) => ({ ...b, keyPem: ca.rootPem })],
  ])('when asked to write %s, then it refuses and stores nothing', async (_, change) => {
    const bundle = change(await ca.issue(HOST, signal))
    await expect(store.write(bundle)).rejects.toThrow(/refusing to store/)
    expect(await store.read(bundle.hostname)).toEqual({ status: 'missing' })
  })

  it.each(['../x', 'a/b', 'A..b', '', '..', 'current', '.tmp-x.example'])(
    'when the hostname is %j, then every operation refuses it',
    async (hostname) => {
      const bundle = { ...(await ca.issue(HOST, signal)), hostname }
      await expect(store.read(hostname)).rejects.toThrow(/invalid hostname/)
      await expect(store.write(bundle)).rejects.toThrow(/invalid hostname/)
      await expect(store.remove(hostname)).rejects.toThrow(/invalid hostname/)
      await expect(lstat(dir)).rejects.toMatchObject({ code: 'ENOENT' })
    },
  )
})
