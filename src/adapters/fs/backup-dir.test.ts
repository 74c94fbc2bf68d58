import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyStore, firstDifference, readManifest, sha256, type Entry } from './backup-dir.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'policyhost-backup-dir-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const HASH = 'a'.repeat(64)
const manifest = (files: unknown[]) => ({
  format: 1,
  version: '1.0.0',
  createdAt: '2026-12-06T00:00:00.000Z',
  database: { path: 'policyhost.sqlite', sha256: HASH },
  files,
})

describe('copyStore', () => {
  it('when a store is copied, then files, dirs and current links come over, temporaries do not', async () => {
    const store = join(dir, 'store')
    mkdirSync(join(store, 'mta-sts.example.org', '01-1'), { recursive: true })
    writeFileSync(join(store, 'mta-sts.example.org', '01-1', 'key.pem'), 'KEY')
    symlinkSync('01-1', join(store, 'mta-sts.example.org', 'current'))
    mkdirSync(join(store, 'mta-sts.example.org', '.tmp-abc'))
    writeFileSync(join(store, 'mta-sts.example.org', '.tmp-abc', 'key.pem'), 'HALF')

    const entries = await copyStore(store, join(dir, 'copy'), 'certs')

    expect(entries).toEqual([
      { path: 'certs/mta-sts.example.org/01-1/key.pem', sha256: sha256(Buffer.from('KEY')) },
      { path: 'certs/mta-sts.example.org/current', link: '01-1' },
    ])
    const host = join(dir, 'copy', 'mta-sts.example.org')
    expect(readdirSync(host).sort()).toEqual(['01-1', 'current'])
    expect(readlinkSync(join(host, 'current'))).toBe('01-1')
    expect(statSync(join(host, '01-1', 'key.pem')).mode & 0o777).toBe(0o600)
    expect(statSync(join(host, '01-1')).mode & 0o777).toBe(0o700)
    // Listing only (dst null) reports the same entries and writes nothing.
    expect(await copyStore(store, null, 'certs')).toEqual(entries)
  })

  it('when a link points outside its directory, then the copy is refused', async () => {
    const store = join(dir, 'store')
    mkdirSync(join(store, 'h'), { recursive: true })
    symlinkSync('../../etc', join(store, 'h', 'current'))
    await expect(copyStore(store, null, 'certs')).rejects.toThrow('link leaves its directory')
  })
})

describe('readManifest', () => {
  const cases: { name: string; files: unknown[]; error: string | null }[] = [
    { name: 'a file under certs/', files: [{ path: 'certs/h/k.pem', sha256: HASH }], error: null },
    { name: 'a relative link', files: [{ path: 'certs/h/current', link: '01-1' }], error: null },
    { name: 'a path outside certs/', files: [{ path: 'x.pem', sha256: HASH }], error: 'unsafe' },
    { name: 'a climbing path', files: [{ path: 'certs/../x', sha256: HASH }], error: 'unsafe' },
    { name: 'an absolute link', files: [{ path: 'certs/h/c', link: '/etc' }], error: 'unsafe' },
    { name: 'a climbing link', files: [{ path: 'certs/h/c', link: '..' }], error: 'unsafe' },
    { name: 'a bad hash', files: [{ path: 'certs/h/k', sha256: 'x' }], error: 'files.0' },
  ]
  for (const c of cases) {
    it(`when the manifest lists ${c.name}, then it is ${c.error ? 'refused' : 'accepted'}`, async () => {
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest(c.files)))
      const read = readManifest(dir)
      if (c.error === null) await expect(read).resolves.toMatchObject({ files: c.files })
      else await expect(read).rejects.toThrow(c.error)
    })
  }

  it('when there is no manifest, then the directory is not a backup', async () => {
    await expect(readManifest(dir)).rejects.toThrow('not a policyhost backup')
  })
})

describe('firstDifference', () => {
  const a: Entry = { path: 'certs/a', sha256: HASH }
  const b: Entry = { path: 'certs/b', link: 'x' }
  const cases: { name: string; found: Entry[]; want: string | null }[] = [
    { name: 'the same entries', found: [b, a], want: null },
    { name: 'a missing file', found: [a], want: 'certs/b: missing' },
    {
      name: 'an extra file',
      found: [a, b, { path: 'certs/c', sha256: HASH }],
      want: 'certs/c: not in the manifest',
    },
    {
      name: 'a changed file',
      found: [{ ...a, sha256: 'b'.repeat(64) }, b],
      want: 'certs/a: does not match the manifest (changed or damaged)',
    },
    {
      name: 'a changed link',
      found: [a, { ...b, link: 'y' }],
      want: 'certs/b: does not match the manifest (changed or damaged)',
    },
  ]
  for (const c of cases) {
    it(`when the store has ${c.name}, then the answer is ${c.want ?? 'null'}`, () => {
      expect(firstDifference([a, b], c.found)).toBe(c.want)
    })
  }
})
