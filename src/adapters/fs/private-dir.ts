import { chmodSync, mkdirSync, statSync } from 'node:fs'

/**
 * Makes `dir` (and its parents) and narrows it to 0700 whatever the umask and whatever an older
 * version left: DATA_DIR holds the database (SQLite) and the local CA's key. Never a shared
 * folder (sticky bit: /tmp), which narrowing would lock every other user out of.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if ((statSync(dir).mode & 0o1000) === 0) chmodIfOwned(dir, 0o700)
}

/** chmod, skipping a file that is absent or not ours to change (a shared, operator-made dir). */
export function chmodIfOwned(path: string, mode: number): void {
  try {
    chmodSync(path, mode)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'EPERM') throw err
  }
}
