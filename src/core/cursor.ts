import { z } from 'zod'

/**
 * Keyset pagination: a page ends at the last row's sort key, and the next page starts strictly
 * after it, so rows added meanwhile neither repeat nor shift a page (unlike OFFSET). The cursor
 * is opaque to clients; here it is `<ms>.<id>` (sort time, then the row id as a tie-break).
 */
export interface Cursor {
  /** The sort time of the last row shown, in ms since the epoch. */
  at: number
  /** Its id: rows with the same time are ordered by id. */
  id: string
}

const CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/

export const encodeCursor = (c: Cursor): string => `${c.at}.${c.id}`

/** The cursor a list handed out, or null for anything else. */
export function decodeCursor(text: string): Cursor | null {
  const m = CURSOR.exec(text)
  if (!m) return null
  const at = Number(m[1])
  return Number.isSafeInteger(at) ? { at, id: m[2]! } : null
}

/** `?cursor=`: only a value a list returned as `nextCursor`. */
export const CursorParam = z
  .string()
  .max(100, 'is not a cursor returned by this list')
  .transform((text, ctx) => {
    const cursor = decodeCursor(text)
    if (cursor === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this list' })
      return z.NEVER
    }
    return cursor
  })

/** `?limit=`: 1 to `max` rows per page, `dflt` when absent. */
export const limitParam = (max: number, dflt: number) =>
  z.coerce
    .number({ error: `must be a whole number from 1 to ${max}` })
    .int(`must be a whole number from 1 to ${max}`)
    .min(1, `must be a whole number from 1 to ${max}`)
    .max(max, `must be a whole number from 1 to ${max}`)
    .default(dflt)

export interface Page<T> {
  items: T[]
  /** Pass as `?cursor=` for the next page; null on the last page. */
  nextCursor: string | null
}

/**
 * Cuts `rows` (fetched with limit + 1, in list order) to one page: the extra row only tells
 * whether another page exists.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => Cursor): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null }
  const items = rows.slice(0, limit)
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) }
}
