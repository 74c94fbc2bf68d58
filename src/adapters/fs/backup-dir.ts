/**
 * adapters/fs: the backup directory — `policyhost.sqlite`, `certs/` (a copy of the certificate
 * store) and `manifest.json` listing every file with its sha256, so a restore can tell a
 * complete, unchanged backup from a damaged one before it replaces anything.
 */
import { createHash } from 'node:crypto'
import { mkdir, open, readdir, readFile, readlink, symlink } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { z } from 'zod'
import { DomainError } from '../../core/errors.js'
import { fsyncDir, hasErrorCode, writeFileDurable } from '../certs/durable-fs.js'

export const BACKUP_DB = 'policyhost.sqlite'
export const BACKUP_CERTS = 'certs'
export const BACKUP_MANIFEST = 'manifest.json'

const Entry = z.union([
  z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  z.object({ path: z.string(), link: z.string() }).strict(),
])
export type Entry = z.infer<typeof Entry>

export const Manifest = z.object({
  format: z.literal(1),
  version: z.string(),
  createdAt: z.string(),
  database: z.object({ path: z.literal(BACKUP_DB), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** Everything under certs/, paths relative to the backup directory. */
  files: z.array(Entry),
})
export type Manifest = z.infer<typeof Manifest>

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** A relative path of plain names: nothing a hostile manifest could aim outside the directory. */
const safeRelative = (p: string) =>
  p.length > 0 && !p.startsWith('/') && p.split('/').every((s) => s && s !== '.' && s !== '..')

/** A new file, 0600, flushed before returning (durable-fs's writer takes text; keys are bytes). */
async function writeBytes(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try {
    await handle.writeFile(data)
    await handle.chmod(0o600)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Copies the certificate store `src` to `dst` (created; dirs 0700, files 0600, the store's
 * relative `current` symlinks recreated) and lists what it wrote, paths prefixed with `prefix`;
 * with `dst` null it only lists (hashes) what is there.
 * Hidden entries are a writer's temporaries (`.tmp-…`, a CA being created): skipped. An entry
 * that vanishes mid-copy was a pruned old version. Symlinks go last, and a version created after
 * the listing is copied then, so every copied `current` names a copied directory.
 */
export async function copyStore(src: string, dst: string | null, prefix: string): Promise<Entry[]> {
  const entries: Entry[] = []
  if (dst !== null) await mkdir(dst, { mode: 0o700 })
  let names: string[]
  try {
    names = (await readdir(src)).filter((n) => !n.startsWith('.')).sort()
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return entries
    throw err
  }
  const copied = new Set<string>()
  const links: [string, string][] = []
  const copyOne = async (name: string) => {
    const from = join(src, name)
    const rel = posix.join(prefix, name)
    let target: string | null = null
    try {
      target = await readlink(from)
    } catch (err) {
      if (hasErrorCode(err, 'ENOENT')) return
      if (!hasErrorCode(err, 'EINVAL')) throw err
    }
    if (target !== null) return void links.push([name, target])
    try {
      const data = await readFile(from)
      if (dst !== null) await writeBytes(join(dst, name), data)
      entries.push({ path: rel, sha256: sha256(data) })
    } catch (err) {
      if (hasErrorCode(err, 'ENOENT')) return
      if (!hasErrorCode(err, 'EISDIR')) throw err
      entries.push(...(await copyStore(from, dst === null ? null : join(dst, name), rel)))
    }
    copied.add(name)
  }
  for (const name of names) await copyOne(name)
  for (const [name, target] of links) {
    if (!safeRelative(target) || target.includes('/')) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `${posix.join(prefix, name)}: link leaves its directory`,
      )
    }
    if (!copied.has(target)) await copyOne(target)
    if (dst !== null) await symlink(target, join(dst, name))
    entries.push({ path: posix.join(prefix, name), link: target })
  }
  if (dst !== null) await fsyncDir(dst)
  return entries.sort((a, b) => a.path.localeCompare(b.path))
}

/** Reads and checks `manifest.json` of the backup directory `dir`; one line on failure. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string
  try {
    text = await readFile(join(dir, BACKUP_MANIFEST), 'utf8')
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT', 'ENOTDIR')) {
      throw new DomainError(
        'PRECONDITION_FAILED',
        `${dir}: not a policyhost backup (no ${BACKUP_MANIFEST})`,
      )
    }
    throw err
  }
  let parsed: ReturnType<typeof Manifest.safeParse>
  try {
    parsed = Manifest.safeParse(JSON.parse(text))
  } catch {
    throw new DomainError('PRECONDITION_FAILED', `${BACKUP_MANIFEST}: not JSON`)
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new DomainError(
      'PRECONDITION_FAILED',
      `${BACKUP_MANIFEST}: ${issue?.path.join('.') || '(value)'}: ${issue?.message}`,
    )
  }
  const bad = parsed.data.files.find(
    (f) =>
      !f.path.startsWith(`${BACKUP_CERTS}/`) ||
      !safeRelative(f.path) ||
      ('link' in f && (!safeRelative(f.link) || f.link.includes('/'))),
  )
  if (bad)
    throw new DomainError('PRECONDITION_FAILED', `${BACKUP_MANIFEST}: unsafe path "${bad.path}"`)
  return parsed.data
}

/** Writes `manifest.json` into `dir`, flushed to disk; it never replaces one. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileDurable(join(dir, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
}

/**
 * The first difference between what a manifest lists and what was found (a missing, extra or
 * changed file), or null when they agree.
 */
export function firstDifference(listed: Entry[], found: Entry[]): string | null {
  const key = (e: Entry) => ('link' in e ? `link ${e.link}` : e.sha256)
  const expected = new Map(listed.map((e) => [e.path, key(e)]))
  for (const e of found) {
    const want = expected.get(e.path)
    if (want === undefined) return `${e.path}: not in the manifest`
    if (want !== key(e)) return `${e.path}: does not match the manifest (changed or damaged)`
    expected.delete(e.path)
  }
  const [missing] = expected.keys()
  return missing === undefined ? null : `${missing}: missing`
}
