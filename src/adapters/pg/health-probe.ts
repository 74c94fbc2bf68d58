import { performance } from 'node:perf_hooks'
import { failureCause, type DatabaseProbe } from '../../core/health.js'
import type { OpenPg } from './database.js'

/** A probe that has not answered in this long reports the database as down. */
const PROBE_TIMEOUT_MS = 2000

/**
 * A cheap liveness probe of the PostgreSQL pool: `select 1`, timed. Never rejects; a failure is
 * named by its SQLSTATE or errno code (`ECONNREFUSED`, `57P01`) or `timeout`, never by its
 * message (which may carry the host name).
 */
export function pgProbe(open: OpenPg): () => Promise<DatabaseProbe> {
  return async () => {
    const t0 = performance.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
        PROBE_TIMEOUT_MS,
      )
    })
    try {
      await Promise.race([open.pool.query('select 1'), timeout])
      return { ok: true, ms: Math.round((performance.now() - t0) * 100) / 100 }
    } catch (err) {
      const code = (err as { code?: unknown }).code
      // SQLSTATEs (57P01 admin shutdown, 08006 …) start with a digit; failureCause wants a letter.
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
        return { ok: false, cause: `SQLSTATE_${code}` }
      return { ok: false, cause: failureCause(err) }
    } finally {
      clearTimeout(timer)
    }
  }
}
