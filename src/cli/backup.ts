/** `backup DEST` and `restore SRC [--force]`: the data directory, through the runtime. */
import type { Config } from '../config.js'
import { backupDataDir, restoreDataDir } from '../main.js'
import { flag, type OptionValues } from './command.js'
import { escapeText, out } from './output.js'

/** Prints where the backup went and what it holds. */
export async function backupCmd(config: Config, dest: string): Promise<number> {
  const done = await backupDataDir(config, dest)
  out(
    `backed up ${escapeText(config.dbPath)} (${done.migrations} migrations) and ` +
      `${done.certFiles} certificate store entries to ${escapeText(done.dest)}`,
  )
  return 0
}

/** Prints what was restored and where the replaced files are kept. */
export async function restoreCmd(config: Config, src: string, o: OptionValues): Promise<number> {
  const done = await restoreDataDir(config, src, { force: flag(o, 'force') })
  out(`restored ${escapeText(src)} into ${escapeText(config.DATA_DIR)}`)
  for (const path of done.movedAside) out(`kept\t${escapeText(path)}`)
  return 0
}
