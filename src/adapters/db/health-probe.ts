import { performance } from 'node:perf_hooks'
import { failureCause, type DatabaseProbe } from '../../core/health.js'
import type { OpenDb } from './database.js'

/**
 * A cheap liveness probe of the connection: `select 1` on it, timed. Never rejects; a failure
 * is named by its code (`SQLITE_IOERR`) or `closed`, never by its message.
 */
export function databaseProbe(open: OpenDb): () => Promise<DatabaseProbe> {
  return async () => {
    if (!open.sqlite.open) return { ok: false, cause: 'closed' }
    const t0 = performance.now()
    try {
      open.sqlite.prepare('select 1').get()
      return { ok: true, ms: Math.round((performance.now() - t0) * 100) / 100 }
    } catch (err) {
      return { ok: false, cause: failureCause(err) }
    }
  }
}
