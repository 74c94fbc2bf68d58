/** `migrate-store [--from PATH] [--replace]`: a SQLite deployment copied into PostgreSQL. */
import type { Config } from '../config.js'
import { migrateStore } from '../main.js'
import { flag, str, type OptionValues } from './command.js'
import { escapeText, out } from './output.js'

/** Prints the rows copied per table (parents first), then the total. */
export async function migrateStoreCmd(config: Config, o: OptionValues): Promise<number> {
  const from = str(o, 'from')
  const done = await migrateStore(config, {
    ...(from === undefined ? {} : { from }),
    replace: flag(o, 'replace'),
  })
  for (const t of done.tables) out(`${t.table} ${t.rows}`)
  out(`total ${done.total} rows copied from ${escapeText(done.from)}`)
  out(
    `certificates ${done.certificates} moved into the store${done.account ? ', with the ACME account' : ''}`,
  )
  for (const h of done.unreadable)
    out(`certificate ${escapeText(h)} unreadable on disk: it is issued again`)
  return 0
}
