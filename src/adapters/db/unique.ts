import { DomainError } from '../../core/errors.js'

/** Turns SQLite's unique-constraint failure into a CONFLICT; other errors pass through. */
export function conflictOnUnique<T>(message: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new DomainError('CONFLICT', message)
    }
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new DomainError('CONFLICT', message)
    }
    throw err
  }
}
