/**
 * The ACME account: its key is generated once and kept under certs/ (0600) with the account
 * URL, one folder per directory URL, so restarts reuse the account instead of registering anew.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import acme from 'acme-client'

export interface AccountFiles {
  keyPem: string
  url: string | null
  saveUrl(url: string): Promise<void>
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`
  await writeFile(tmp, data, { mode })
  await rename(tmp, path)
}

/** Loads (or creates) the account key for `directoryUrl` under `certsDir/acme/`. */
export async function loadAccount(certsDir: string, directoryUrl: string): Promise<AccountFiles> {
  const id = createHash('sha256').update(directoryUrl).digest('hex').slice(0, 16)
  const dir = join(certsDir, 'acme', id)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const keyPath = join(dir, 'account.key')
  const metaPath = join(dir, 'account.json')
  let keyPem: string
  try {
    keyPem = await readFile(keyPath, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    keyPem = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString()
    await writeAtomic(keyPath, keyPem, 0o600)
  }
  let url: string | null = null
  try {
    url = (JSON.parse(await readFile(metaPath, 'utf8')) as { url?: string }).url ?? null
  } catch {
    url = null
  }
  return {
    keyPem,
    url,
    saveUrl: (u) => writeAtomic(metaPath, JSON.stringify({ directoryUrl, url: u }, null, 2), 0o600),
  }
}
