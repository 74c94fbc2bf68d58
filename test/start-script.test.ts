import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script (scripts/), no type declarations
import { isStale, STAMP } from '../scripts/build-if-stale.mjs'

let root: string
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** A checkout with one source file at `srcAt` and, unless null, a build stamp at `builtAt`. */
function checkout(srcAt: number, builtAt: number | null): string {
  root = mkdtempSync(join(tmpdir(), 'ph-start-'))
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'src', 'a.ts'), 'export {}\n')
  const t = new Date(srcAt)
  utimesSync(join(root, 'src', 'a.ts'), t, t)
  utimesSync(join(root, 'src'), t, t)
  if (builtAt !== null) {
    mkdirSync(join(root, 'dist'))
    writeFileSync(join(root, STAMP), '')
    utimesSync(join(root, STAMP), new Date(builtAt), new Date(builtAt))
  }
  return root
}

describe('npm start: build only when stale (issue 10 point 8)', () => {
  it('when nothing changed since the last build, then no build runs', () => {
    expect(isStale(checkout(1_000_000, 2_000_000))).toBe(false)
  })

  it('when a source is newer than the build, or there was never a build, then it builds', () => {
    expect(isStale(checkout(3_000_000, 2_000_000))).toBe(true)
    rmSync(root, { recursive: true, force: true })
    expect(isStale(checkout(1_000_000, null))).toBe(true)
  })

  it('when a source file is deleted after the build, then its folder makes it stale', () => {
    const dir = checkout(1_000_000, 2_000_000)
    rmSync(join(dir, 'src', 'a.ts'))
    expect(isStale(dir)).toBe(true)
  })
})
