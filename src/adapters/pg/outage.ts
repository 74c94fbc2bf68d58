/**
 * PostgreSQL being away is not a bug: while the server restarts or the network drops, every
 * repository call answers UNAVAILABLE (503 with Retry-After and a plain problem body) instead of
 * an internal error, and the in-memory views keep serving (issue 15). Deadlocks and
 * serialisation failures, which a retry resolves, answer the same way.
 */
import { DomainError } from '../../core/errors.js'
import type { Repos } from '../../core/ports.js'

const RETRY_AFTER_SECONDS = 5

/** Socket errors of the driver (node-postgres passes Node's codes through). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
])

/**
 * SQLSTATE classes and codes that mean "not now" (PostgreSQL appendix A): 08 connection
 * exception, 57P01–57P03 shutdown or start-up, 53300 too many connections, 40001
 * serialization failure, 40P01 deadlock.
 */
function transientSqlState(code: string): boolean {
  return (
    code.startsWith('08') || /^57P0[123]$/.test(code) || ['53300', '40001', '40P01'].includes(code)
  )
}

/** node-postgres and pg-pool say these in messages only (no code). */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
]

/** Whether `err` (or the driver error drizzle wrapped in it) says the database is away. */
export function isOutage(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || transientSqlState(e.code)))
      return true
    if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e!.message as string)))
      return true
    e = e.cause as typeof e
  }
  return false
}

const unavailable = () =>
  new DomainError('UNAVAILABLE', 'the database is not reachable right now; try again shortly', [], {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  })

/** Each repository method, with an outage turned into UNAVAILABLE and anything else untouched. */
export function unavailableOnOutage(repos: Repos): Repos {
  const wrapped: Record<string, unknown> = {}
  for (const [name, repo] of Object.entries(repos)) {
    const methods: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(repo as Record<string, unknown>)) {
      methods[key] =
        typeof value === 'function'
          ? async (...args: unknown[]) => {
              try {
                return await (value as (...a: unknown[]) => Promise<unknown>).apply(repo, args)
              } catch (err) {
                throw isOutage(err) ? unavailable() : err
              }
            }
          : value
    }
    wrapped[name] = methods
  }
  return wrapped as unknown as Repos
}
