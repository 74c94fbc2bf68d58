// `npm start` rebuilds only when something the build reads changed since the last build: a full
// tsc run takes ~30 s on a small machine, a restart with nothing changed should take ~1 s.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** What the build reads: sources (and their folders, whose mtime changes when a file goes). */
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']
export const STAMP = join('dist', '.build-stamp')

/** Newest modification time (ms) of `path` and, for a folder, of everything in it. */
function newest(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let max = st.mtimeMs
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)))
  return max
}

/** Whether `root` needs a build: no stamp yet, or an input newer than it. */
export function isStale(root) {
  const stamp = join(root, STAMP)
  if (!existsSync(stamp)) return true
  const built = statSync(stamp).mtimeMs
  return INPUTS.some((p) => existsSync(join(root, p)) && newest(join(root, p)) > built)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (isStale('.')) {
    // The stamp is written only after a build that succeeded (execFileSync throws otherwise).
    const started = Date.now()
    execFileSync('npm', ['run', 'build'], { stdio: 'inherit' })
    writeFileSync(STAMP, `${new Date(started).toISOString()}\n`)
  }
}
