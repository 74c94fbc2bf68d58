/**
 * adapters/certs: the certificate store on disk. Layout per hostname:
 *   <dir>/<hostname>/current -> <serial>-<ms>/   (symlink, repointed atomically)
 *   <dir>/<hostname>/<serial>-<ms>/{chain.pem,key.pem,meta.json}
 * A version directory is complete before `current` names it, so a reader sees the old bundle or
 * the new one, never a mix. Writers in one process are serialized per hostname; writers in
 * several processes sharing one directory must hold the hostname's lock (as certmagic requires).
 */
import { mkdir, readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import type {
  CertificateBundle,
  CertReadResult,
  CertStore,
  ReadDepth,
} from '../../core/certs/types.js'
import {
  ensurePrivateDir,
  fsyncDir,
  hasErrorCode,
  randomSuffix,
  writeFileDurable,
} from './durable-fs.js'
import { assertStorableHostname } from './hostname.js'
import { serializedBy } from './serialized.js'
import { checkVersion, corrupt, metaFor, misstatedFields } from './version-meta.js'
import { inspectBundle } from './x509.js'

const CURRENT = 'current'
const TMP_PREFIX = '.tmp-'
const VERSION_NAME = /^([0-9a-f]+)-\d+$/
// Re-resolving `current` covers a reader racing a writer's pruning; a link that keeps moving
// after that means something rewrites the store in a loop, and we report what we saw.
const READ_ATTEMPTS = 3

async function readVersion(hostname: string, hostDir: string, target: string, depth: ReadDepth) {
  const version = VERSION_NAME.exec(target)
  if (version === null) return corrupt('current does not name a version directory')
  const files = { chainPem: 'chain.pem', keyPem: 'key.pem', metaJson: 'meta.json' }
  for (const [part, name] of Object.entries(files) as [keyof typeof files, string][]) {
    try {
      files[part] = await readFile(join(hostDir, target, name), 'utf8')
    } catch (err) {
      // Damage is reported; other failures (EACCES, EIO) are the operator's, so they throw.
      if (!hasErrorCode(err, 'ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP')) throw err
      return corrupt(`cannot read ${target}/${name}: ${(err as NodeJS.ErrnoException).code}`)
    }
  }
  return checkVersion(hostname, version[1]!, files, depth)
}

/** The version `current` names; null when there is none, '' when `current` is not a symlink. */
async function currentTarget(hostDir: string): Promise<string | null> {
  try {
    return await readlink(join(hostDir, CURRENT))
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT', 'ENOTDIR')) return null
    if (hasErrorCode(err, 'EINVAL')) return ''
    throw err
  }
}

async function writeVersion(hostDir: string, bundle: CertificateBundle): Promise<string> {
  const tmp = join(hostDir, `${TMP_PREFIX}${randomSuffix()}`)
  await mkdir(tmp, { mode: 0o700 })
  try {
    const meta = metaFor(bundle, new Date())
    await writeFileDurable(join(tmp, 'chain.pem'), bundle.chainPem)
    await writeFileDurable(join(tmp, 'key.pem'), bundle.keyPem)
    await writeFileDurable(join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`)
    await fsyncDir(tmp)
    // The same serial written twice in one millisecond would collide; the next name is free.
    for (let ms = Date.now(); ; ms++) {
      const name = `${bundle.serial}-${ms}`
      try {
        await rename(tmp, join(hostDir, name))
        return name
      } catch (err) {
        if (!hasErrorCode(err, 'ENOTEMPTY', 'EEXIST')) throw err
      }
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
}

// Best effort: the new bundle is already committed, and what is left is retried next write.
async function prune(hostDir: string, keep: string): Promise<void> {
  const names = await readdir(hostDir).catch(() => [])
  for (const name of names) {
    if (name === CURRENT || name === keep) continue
    await rm(join(hostDir, name), { recursive: true, force: true }).catch(() => undefined)
  }
}

/** The certificate store under `dir` (created 0700 on first write). */
export function fileCertStore(dir: string): CertStore {
  const serialized = serializedBy<string>()

  async function commit(bundle: CertificateBundle): Promise<void> {
    const hostDir = join(dir, bundle.hostname)
    await ensurePrivateDir(dir)
    await ensurePrivateDir(hostDir)
    await fsyncDir(dir)
    const version = await writeVersion(hostDir, bundle)
    const link = join(hostDir, `${TMP_PREFIX}${CURRENT}-${randomSuffix()}`)
    await symlink(version, link)
    await rename(link, join(hostDir, CURRENT))
    await fsyncDir(hostDir)
    await prune(hostDir, version)
  }

  return {
    async write(bundle) {
      assertStorableHostname(bundle.hostname)
      const inspected = inspectBundle(bundle.hostname, bundle.chainPem, bundle.keyPem)
      if (!inspected.ok)
        throw new Error(`refusing to store ${bundle.hostname}: ${inspected.reason}`)
      const misstated = misstatedFields(bundle, inspected.bundle)
      if (misstated.length > 0) {
        throw new Error(`refusing to store ${bundle.hostname}: ${misstated.join(', ')} disagree`)
      }
      await serialized(bundle.hostname, () => commit(inspected.bundle))
    },

    async read(hostname, depth = 'full') {
      assertStorableHostname(hostname)
      const hostDir = join(dir, hostname)
      let result: CertReadResult = { status: 'missing' }
      for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        const target = await currentTarget(hostDir)
        if (target === null) return { status: 'missing' }
        result = await readVersion(hostname, hostDir, target, depth)
        // A writer may have pruned the version we resolved just after moving `current` on.
        if (result.status === 'ok' || (await currentTarget(hostDir)) === target) return result
      }
      return result
    },

    async currentSerial(hostname) {
      assertStorableHostname(hostname)
      const target = await currentTarget(join(dir, hostname))
      return (target && VERSION_NAME.exec(target)?.[1]) || null
    },

    async remove(hostname) {
      assertStorableHostname(hostname)
      await serialized(hostname, async () => {
        await rm(join(dir, hostname), { recursive: true, force: true })
        await fsyncDir(dir).catch((err: unknown) => {
          if (!hasErrorCode(err, 'ENOENT')) throw err
        })
      })
    },
  }
}
