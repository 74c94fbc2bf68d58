import { DomainError } from '../../core/errors.js'

/** SQLSTATE unique_violation (PostgreSQL appendix A); a primary key reports it too. */
const UNIQUE_VIOLATION = '23505'

/** Turns PostgreSQL's unique-constraint failure into a CONFLICT; other errors pass through. */
export async function conflictOnUnique<T>(message: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (violation(err) === UNIQUE_VIOLATION) throw new DomainError('CONFLICT', message)
    throw err
  }
}

/** drizzle wraps driver errors (DrizzleQueryError) with the driver's error as `cause`. */
function violation(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } }
  return e.code ?? e.cause?.code
}
