import type { OpenDb } from './database.js'

/**
 * `PRAGMA data_version` of this connection: it changes when another connection (the CLI, a
 * second process on the same file) commits, so polling it is how a process notices their
 * writes (changes/sqlite-data-version.ts). Cheap: no table is read.
 */
export function dataVersion(open: OpenDb): () => Promise<number> {
  return async () => open.sqlite.pragma('data_version', { simple: true }) as number
}
