import { describe, expect, it } from 'vitest'
import { CursorParam, decodeCursor, encodeCursor, limitParam, pageOf } from './cursor.js'

describe('cursor', () => {
  it('when a cursor is encoded, then it decodes to the same key', () => {
    const c = { at: 1_764_000_000_000, id: '5f0c6b1e-2a4d-4b8e-9c1f-0a1b2c3d4e5f' }
    expect(decodeCursor(encodeCursor(c))).toEqual(c)
  })

  it.each(['', '!!', '12', '.abc', '1.', '1.a b', '99999999999999999.x', `1.${'a'.repeat(65)}`])(
    'when the cursor is %j, then it is refused',
    (text) => {
      expect(decodeCursor(text)).toBeNull()
      expect(CursorParam.safeParse(text).success).toBe(false)
    },
  )

  it('when rows are one more than the limit, then the page ends at the last shown row', () => {
    const rows = [1, 2, 3].map((n) => ({ at: n, id: `r${n}` }))
    expect(pageOf(rows, 2, (r) => r)).toEqual({ items: rows.slice(0, 2), nextCursor: '2.r2' })
    expect(pageOf(rows, 3, (r) => r)).toEqual({ items: rows, nextCursor: null })
  })

  it.each([['0'], ['1001'], ['1.5'], ['abc']])('when ?limit=%s, then it is refused', (v) => {
    expect(limitParam(1000, 100).safeParse(v).success).toBe(false)
  })
})
