/** The store's variables (issue 15), part of config.ts's one environment schema. */
import { z } from 'zod'
import { whole } from './config-fields.js'

/** postgres:// or postgresql:// with a host; anything else is a typo, not SQLite. */
function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.host !== ''
  } catch {
    return false
  }
}

export const STORE_ENV = {
  /**
   * `postgres://user:password@host:port/db`: keep everything in PostgreSQL, shared by every
   * instance pointed at it. Unset: SQLite in DATA_DIR (one machine).
   */
  DATABASE_URL: z
    .string()
    .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL with a host')
    .optional(),
  /** Connections each process keeps to PostgreSQL at most (its share of max_connections). */
  DATABASE_POOL_MAX: whole(1, 1000).default(10),
  /**
   * With DATABASE_URL: seconds between full rebuilds of the in-memory views from the store, a
   * safety net under LISTEN/NOTIFY (a notification that failed to send). 0: never.
   */
  CHANGE_RECONCILE_SECONDS: whole(0, 86_400).default(300),
}
