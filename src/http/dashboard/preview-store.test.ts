import { describe, expect, it } from 'vitest'
import { PreviewStore, type PreviewLimits } from './preview-store.js'

const LIMITS: PreviewLimits = { maxEntries: 3, maxPerOwner: 2, maxBytes: 100, ttlMs: 1000 }
const bytes = (n: number) => new Uint8Array(n)

function world(limits = LIMITS) {
  let now = 0
  let n = 0
  const store = new PreviewStore(
    () => now,
    () => `id${++n}`,
    limits,
  )
  return { store, tick: (ms: number) => (now += ms) }
}

describe('PreviewStore', () => {
  it('when the owner and domain that made a preview read it, then they get both documents', () => {
    const { store } = world()
    const id = store.put('t1', 'a.example', bytes(3), bytes(4))
    const p = store.get(id, 't1', 'a.example')
    expect(p?.original.byteLength).toBe(3)
    expect(p?.converted.byteLength).toBe(4)
  })

  it.each([
    ['another owner', 't2', 'a.example', 'id1'],
    ['another domain of the same owner', 't1', 'b.example', 'id1'],
    ['an unknown id', 't1', 'a.example', 'nope'],
  ])('when %s asks, then there is nothing', (_what, owner, domain, id) => {
    const { store } = world()
    store.put('t1', 'a.example', bytes(1), bytes(1))
    expect(store.get(id, owner, domain)).toBeNull()
  })

  it('when the time to live has passed, then the preview is gone', () => {
    const { store, tick } = world()
    const id = store.put('t1', 'a.example', bytes(1), bytes(1))
    tick(999)
    expect(store.get(id, 't1', 'a.example')).not.toBeNull()
    tick(1)
    expect(store.get(id, 't1', 'a.example')).toBeNull()
    expect(store.size).toBe(0)
  })

  it('when one owner keeps converting, then only its own oldest previews are evicted', () => {
    const { store } = world()
    const other = store.put('t2', 'b.example', bytes(1), bytes(1))
    const ids = [1, 2, 3].map(() => store.put('t1', 'a.example', bytes(1), bytes(1)))
    expect(store.get(other, 't2', 'b.example')).not.toBeNull()
    expect(ids.map((id) => store.get(id, 't1', 'a.example') !== null)).toEqual([false, true, true])
  })

  it('when the store is full by count or bytes, then the oldest entries make room', () => {
    const { store } = world()
    const first = store.put('t1', 'a.example', bytes(1), bytes(1))
    store.put('t2', 'a.example', bytes(1), bytes(1))
    store.put('t3', 'a.example', bytes(1), bytes(1))
    const fourth = store.put('t4', 'a.example', bytes(1), bytes(1))
    expect(store.size).toBe(3)
    expect(store.get(first, 't1', 'a.example')).toBeNull()
    const big = store.put('t5', 'a.example', bytes(60), bytes(39))
    expect(store.get(fourth, 't4', 'a.example')).toBeNull()
    expect(store.get(big, 't5', 'a.example')).not.toBeNull()
    expect(store.size).toBe(1)
  })
})
