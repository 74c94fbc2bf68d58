/**
 * The ACME account on disk (the SQLite store's; PostgreSQL keeps it in the shared store): the key
 * under certs/acme/<digest of the directory URL>/ (0600) with the account URL beside it, so
 * restarts reuse the account instead of registering anew.
 */
import { createHash, randomBytes } from 'node:crypto'
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AcmeAccount, AcmeAccountStore } from '../../core/certs/types.js'

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  await writeFile(tmp, data, { mode })
  await rename(tmp, path)
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return null
  }
}

/** The ACME accounts under `certsDir/acme/`, one folder per directory URL. */
export function fileAccountStore(certsDir: string): AcmeAccountStore {
  const paths = (directoryUrl: string) => {
    const id = createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16)
    const dir = join(certsDir, 'acme', id)
    return { dir, key: join(dir, 'account.key'), meta: join(dir, 'account.json') }
  }

  async function load(directoryUrl: string): Promise<AcmeAccount | null> {
    const p = paths(directoryUrl)
    const keyPem = await readIfExists(p.key)
    if (keyPem === null) return null
    let url: string | null = null
    try {
      url = (JSON.parse((await readIfExists(p.meta)) ?? '{}') as { url?: string }).url ?? null
    } catch {
      url = null // a damaged account.json costs one registration, which returns the same URL
    }
    return { keyPem, url }
  }

  return {
    load,
    async create(directoryUrl, keyPem) {
      const p = paths(directoryUrl)
      await mkdir(p.dir, { recursive: true, mode: 0o700 })
      // Random: two stores in one process (or one millisecond) must not share the temporary file.
      const tmp = `${p.key}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
      await writeFile(tmp, keyPem, { mode: 0o600 })
      try {
        // link() fails when the key exists, so of two processes racing the first key stays.
        await link(tmp, p.key)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      } finally {
        await unlink(tmp)
      }
      const stored = await load(directoryUrl)
      if (stored === null) throw new Error(`ACME account key vanished under ${p.dir}`)
      return stored
    },
    async saveUrl(directoryUrl, url) {
      const p = paths(directoryUrl)
      await mkdir(p.dir, { recursive: true, mode: 0o700 })
      await writeAtomic(p.meta, JSON.stringify({ directoryUrl, url }, null, 2), 0o600)
    },
  }
}
