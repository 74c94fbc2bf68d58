/**
 * Issue 15 point 5: `policyhost backup DEST` and `policyhost restore SRC [--force]`, in-process
 * through the dispatcher the binary awaits (test/helpers/cli.ts), on real data directories.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliInProcess } from './helpers/cli.js'

let root: string
let source: string
let backup: string

const cli = (dataDir: string, args: string[]) => runCliInProcess(dataDir, args)

/** Exactly one line on stderr, and what it says. */
function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n')
  expect(lines, stderr).toHaveLength(2)
  expect(lines[1]).toBe('')
  return lines[0]!
}

/** Every file under `dir` with its content (links as `-> target`), by relative path. */
function tree(dir: string, base = dir): Record<string, string> {
  const found: Record<string, string> = {}
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const rel = relative(base, path)
    if (entry.isSymbolicLink()) found[rel] = `-> ${readlinkSync(path)}`
    else if (entry.isDirectory()) Object.assign(found, tree(path, base))
    else found[rel] = readFileSync(path, 'utf8')
  }
  return found
}

const domains = async (dataDir: string) =>
  JSON.parse((await cli(dataDir, ['domain', 'list', '--json'])).stdout).map(
    (d: { name: string }) => d.name,
  )

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'policyhost-cli-backup-'))
  source = join(root, 'source')
  backup = join(root, 'backup')
  expect((await cli(source, ['domain', 'add', 'example.org'])).code).toBe(0)
  // The local CA issues mta-sts.example.org's certificate into DATA_DIR/certs.
  expect((await cli(source, ['renew'])).code).toBe(0)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('policyhost backup / restore (issue 15 point 5)', () => {
  it('when a data dir with a domain and a certificate is backed up and restored into a fresh one, then both are back', async () => {
    const made = await cli(source, ['backup', backup])
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    expect(made.stdout).toMatch(/^backed up .* to .*backup$/m)
    expect(readdirSync(backup).sort()).toEqual(['certs', 'manifest.json', 'policyhost.sqlite'])
    const manifest = JSON.parse(readFileSync(join(backup, 'manifest.json'), 'utf8'))
    expect(manifest.database.sha256).toMatch(/^[0-9a-f]{64}$/)
    const key = manifest.files.find((f: { path: string }) => f.path.endsWith('/key.pem'))
    expect(key?.path).toMatch(/^certs\/mta-sts\.example\.org\//)
    expect(statSync(join(backup, key.path)).mode & 0o777).toBe(0o600)
    expect(statSync(join(backup, 'certs')).mode & 0o777).toBe(0o700)

    const fresh = join(root, 'fresh')
    const restored = await cli(fresh, ['restore', backup])
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(await domains(fresh)).toEqual(['example.org'])
    expect(tree(join(fresh, 'certs'))).toEqual(tree(join(source, 'certs')))
    expect(statSync(join(fresh, 'policyhost.sqlite')).mode & 0o777).toBe(0o600)
  })

  it('when DEST is not empty, then one line on stderr, a non-zero exit and DEST untouched', async () => {
    const dest = join(root, 'occupied')
    mkdirSync(dest)
    writeFileSync(join(dest, 'keep.txt'), 'mine')
    const r = await cli(source, ['backup', dest])
    expect(r.code).not.toBe(0)
    expect(oneErrorLine(r.stderr)).toBe(`policyhost: ${dest}: exists and is not an empty directory`)
    expect(readdirSync(dest)).toEqual(['keep.txt'])
  })

  it('when DEST is missing, then a usage error on one line', async () => {
    const r = await cli(source, ['backup'])
    expect(r.code).toBe(2)
    expect(oneErrorLine(r.stderr)).toMatch(
      /^policyhost: missing DEST \(usage: policyhost backup DEST\)$/,
    )
  })

  it('when a server heartbeat is fresh, then restore is refused unless --force', async () => {
    const target = join(root, 'serving')
    expect((await cli(target, ['domain', 'add', 'other.example'])).code).toBe(0)
    const db = new Database(join(target, 'policyhost.sqlite'))
    db.prepare('INSERT INTO instances (id, started_at, seen_at) VALUES (?, ?, ?)').run(
      'host:1:x',
      Date.now() - 60_000,
      Date.now() - 5_000,
    )
    db.close()
    const refused = await cli(target, ['restore', backup])
    expect(refused.code).toBe(1)
    expect(oneErrorLine(refused.stderr)).toMatch(
      /^policyhost: a server seen [4-9] s ago is using DATA_DIR \(.*serving\); stop it first \(or --force\)$/,
    )
    expect(await domains(target)).toEqual(['other.example'])

    const forced = await cli(target, ['restore', backup, '--force'])
    expect(forced.code).toBe(0)
    expect(await domains(target)).toEqual(['example.org'])
    // What was replaced is kept beside it.
    expect(forced.stdout).toMatch(/^kept\t.*policyhost\.sqlite\.before-restore-/m)
    expect(readdirSync(target).some((n) => n.startsWith('certs.before-restore-'))).toBe(true)
  })

  it('when a file in the backup was changed, then restore refuses before touching anything', async () => {
    const damaged = join(root, 'damaged')
    expect((await cli(source, ['backup', damaged])).code).toBe(0)
    const manifest = JSON.parse(readFileSync(join(damaged, 'manifest.json'), 'utf8'))
    const chain = manifest.files.find((f: { path: string }) => f.path.endsWith('/chain.pem'))
    appendFileSync(join(damaged, chain.path), '\n')
    const target = join(root, 'untouched')
    const r = await cli(target, ['restore', damaged])
    expect(r.code).toBe(1)
    expect(oneErrorLine(r.stderr)).toBe(
      `policyhost: ${chain.path}: does not match the manifest (changed or damaged)`,
    )
    expect(existsSync(target)).toBe(false)
  })

  it('when SRC is not a backup, then one line says so', async () => {
    const r = await cli(join(root, 'fresh'), ['restore', root])
    expect(r.code).toBe(1)
    expect(oneErrorLine(r.stderr)).toBe(
      `policyhost: ${root}: not a policyhost backup (no manifest.json)`,
    )
  })
})
