import { describe, expect, it } from 'vitest'
import { requestIds } from './request-ids.js'

describe('requestIds', () => {
  it('when ids are drawn, then each is UUID-shaped and none repeats, within one generator or across two', () => {
    const a = requestIds()
    const b = requestIds()

    const ids = [...Array.from({ length: 1000 }, a), ...Array.from({ length: 1000 }, b)]

    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(new Set(ids).size).toBe(2000)
  })
})
