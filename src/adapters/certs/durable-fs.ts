/** adapters/certs: the few filesystem steps that make a write survive a crash or power loss. */
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open } from 'node:fs/promises'

/** Creates `path` (and parents) and makes it 0700, also when it already existed. */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 })
  // mkdir leaves an existing directory's mode alone, and the umask can only narrow it.
  await chmod(path, 0o700)
}

/** Writes a new file (0600) and flushes it to disk before returning; refuses to overwrite. */
export async function writeFileDurable(path: string, data: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600)
  try {
    await handle.writeFile(data, 'utf8')
    await handle.chmod(0o600)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Flushes a directory's entries, so a rename or new file in it is durable. */
export async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** A random name suffix for temporary entries. */
export function randomSuffix(): string {
  return randomBytes(8).toString('hex')
}

/** True when `err` is a Node system error with one of `codes`. */
export function hasErrorCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '')
}
