/** `sync [DIR] [--json]`: applies `policies/` files, one line per file. */
import type { Runtime } from '../main.js'
import { syncDir } from '../main.js'
import { flag, type OptionValues } from './command.js'
import { escapeText, json, out, UsageError } from './output.js'

/**
 * Applied files go to stdout (`created`, `updated`, `unchanged`, tab, path), each broken one to
 * stderr as `policyhost: PATH: ERROR`, once: the runtime logs at error level for this command.
 */
export async function syncCmd(
  rt: Runtime,
  dirArg: string | undefined,
  o: OptionValues,
): Promise<number> {
  const dir = dirArg ?? rt.config.POLICIES_DIR
  if (!dir) throw new UsageError('no DIR given and POLICIES_DIR is empty')
  let outcomes
  try {
    outcomes = await syncDir(rt, dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new Error(`${dir}: no such directory`)
    if (code === 'ENOTDIR') throw new Error(`${dir}: not a directory`)
    if (code === 'EACCES') throw new Error(`${dir}: permission denied`)
    throw err
  }
  if (flag(o, 'json')) json(outcomes)
  for (const x of outcomes) {
    if (x.result === 'error') {
      process.stderr.write(
        `policyhost: ${escapeText(x.path)}: ${escapeText(x.error ?? 'failed')}\n`,
      )
    } else if (!flag(o, 'json')) out(`${x.result}\t${escapeText(x.path)}`)
  }
  return outcomes.some((x) => x.result === 'error') ? 1 : 0
}
