/** adapters/fs: reads the `policies/` folder for the sync service. */
import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { PolicyFileText } from '../../core/policy-file.js'

/** Every `*.json` file in `dir`, sorted by name; a missing folder is an error for the caller. */
export async function readPolicyDir(dir: string): Promise<PolicyFileText[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  return Promise.all(
    names.map(async (n) => ({
      path: join(dir, n),
      name: basename(n, '.json'),
      text: await readFile(join(dir, n), 'utf8'),
    })),
  )
}
