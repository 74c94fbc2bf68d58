/** The store's variables (issue 15), part of config.ts's one environment schema. */
import { availableParallelism } from 'node:os'
import { z } from 'zod'
import { SecretsKey } from './adapters/crypto/sealed.js'
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
  /**
   * With DATABASE_URL (required then): the key that seals private keys in the shared store,
   * 64 hex characters or the base64 of 32 bytes (`openssl rand -hex 32`). Never echoed.
   */
  SECRETS_KEY: z
    .string()
    .transform((value, ctx) => {
      const key = SecretsKey.parse(value)
      if (key !== null) return key
      ctx.addIssue({ code: 'custom', message: 'must be 64 hex characters or base64 of 32 bytes' })
      return z.NEVER
    })
    .optional(),
  /**
   * Serving processes on this machine sharing the listeners (node:cluster): `auto` = one per
   * core, or 1-64. 1 (the default) serves in this process with no cluster.
   */
  WORKERS: z
    .string()
    .default('1')
    .transform((value, ctx) => {
      if (value === 'auto') return availableParallelism()
      const n = Number(value)
      if (Number.isInteger(n) && n >= 1 && n <= 64) return n
      ctx.addIssue({ code: 'custom', message: 'must be auto or a whole number 1-64' })
      return z.NEVER
    }),
}

/** The store variables that only make sense together; null when they agree. */
export function storeProblem(c: {
  DATABASE_URL?: string
  SECRETS_KEY?: SecretsKey
}): string | null {
  if (c.DATABASE_URL !== undefined && c.SECRETS_KEY === undefined) {
    return 'invalid SECRETS_KEY: required with DATABASE_URL (keys in the shared store are sealed with it)'
  }
  return null
}
