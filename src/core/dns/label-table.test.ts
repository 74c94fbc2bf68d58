import { describe, expect, it } from 'vitest'
import { hashOf, LabelTable } from './label-table.js'
import { pack, unpack, type StoredEntry } from './packed-entry.js'
import type { ZoneEntry } from './zone-types.js'

/** Packed, as the zone keeps entries. */
const entry = (label: string, mtaSts = `v=STSv1; id=${label}`): StoredEntry =>
  pack({ label, mtaSts, tlsRpt: null, bimi: [] } satisfies ZoneEntry)

const read = (s: StoredEntry | undefined) => (s === undefined ? undefined : unpack(s))

/** Two different labels with the same 30-bit hash, found by brute force (birthday: ~2^15 tries). */
function collision(): [string, string] {
  const seen = new Map<number, string>()
  // Sequential labels hardly ever collide under FNV-1a; scrambled ones do, as the birthday
  // bound says (a fixed LCG keeps the test the same every run).
  let x = 12345
  for (let i = 0; i < 1_000_000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const label = `l${x.toString(36)}${i.toString(36)}`
    const h = hashOf(label, 0, label.length)
    const other = seen.get(h)
    if (other !== undefined) return [other, label]
    seen.set(h, label)
  }
  throw new Error('no collision found')
}

describe('LabelTable', () => {
  it('when entries are set, then each is found by its label and by a slice of a longer name', () => {
    const t = new LabelTable()
    t.set(entry('alpha-1'))
    t.set(entry('beta-2'))
    const name = 'beta-2._mta-sts.dns.example'
    expect(read(t.at(name, 0, 'beta-2'.length))?.label).toBe('beta-2')
    expect(t.at(name, 0, 'beta-'.length)).toBeUndefined()
    expect(read(t.at('xbeta-2', 1, 7))?.label).toBe('beta-2')
    expect(read(t.get('alpha-1'))?.mtaSts).toBe('v=STSv1; id=alpha-1')
    expect(t.size).toBe(2)
  })

  it('when a label is set again, then the entry is replaced and the size stays', () => {
    const t = new LabelTable()
    t.set(entry('alpha-1', 'one'))
    t.set(entry('alpha-1', 'two'))
    expect(read(t.get('alpha-1'))?.mtaSts).toBe('two')
    expect(t.size).toBe(1)
    expect([...t.values()].map((e) => unpack(e).mtaSts)).toEqual(['two'])
  })

  it('when two labels share a hash, then both are kept apart, replaced and deleted one at a time', () => {
    const [a, b] = collision()
    const t = new LabelTable()
    t.set(entry(a))
    t.set(entry(b))
    expect(t.size).toBe(2)
    expect(read(t.get(a))?.label).toBe(a)
    expect(read(t.get(b))?.label).toBe(b)
    t.set(entry(b, 'again'))
    expect(read(t.get(b))?.mtaSts).toBe('again')
    expect(t.size).toBe(2)
    expect(t.delete(a)).toBe(true)
    expect(t.get(a)).toBeUndefined()
    expect(read(t.get(b))?.mtaSts).toBe('again')
    expect(t.delete(a)).toBe(false)
    expect(t.delete(b)).toBe(true)
    expect(t.size).toBe(0)
    expect([...t.values()]).toEqual([])
  })

  it('when a label is absent, then get and delete say so', () => {
    const t = new LabelTable()
    t.set(entry('alpha-1'))
    expect(t.get('alpha-2')).toBeUndefined()
    expect(t.delete('alpha-2')).toBe(false)
    expect(t.size).toBe(1)
  })
})
