import { describe, expect, it } from 'vitest'
import { axfrRecords, IxfrJournal, ixfrRecords, serialGreater, serialNext } from './ixfr-journal.js'
import { ZoneIndex } from './zone-index.js'
import { ORIGIN, testZoneSettings } from '../../../test/helpers/zone-fixtures.js'
import type { ZoneDelta, ZoneRecord } from './zone-types.js'

const settings = testZoneSettings()

const MAX = 2 ** 32 - 1

describe('serial arithmetic (RFC 1982)', () => {
  it.each([
    [1, 2],
    [41, 42],
    [MAX - 1, MAX],
    // §3.1: wraps modulo 2^32, skipping 0 so that 0 can mean "no serial".
    [MAX, 1],
    [0, 1],
  ])('when the serial is %i, then the next is %i', (n, next) => {
    expect(serialNext(n)).toBe(next)
    expect(serialGreater(next, n)).toBe(true)
  })

  it.each([
    [2, 1, true],
    [1, 2, false],
    [1, 1, false],
    [1, MAX, true], // wrapped
    [MAX, 1, false],
    [2 ** 31 - 1, 0, true],
    [2 ** 31 + 1, 0, false], // more than half the space ahead = behind
    [2 ** 31, 0, false], // §3.2: exactly half apart is undefined; never "greater"
    [0, 2 ** 31, false],
  ])('when comparing %i with %i, then greater is %s', (a, b, greater) => {
    expect(serialGreater(a, b)).toBe(greater)
  })
})

const txt = (label: string): ZoneRecord => ({
  name: `${label}._mta-sts.${ORIGIN}`,
  type: 'TXT',
  class: 'IN',
  ttl: 300,
  data: [Buffer.from('v=STSv1; id=1')],
})
// Counts are what the journal bounds; one shared record per side keeps 100k-record deltas cheap.
const delta = (from: number, to: number, added = 1, removed = 0): ZoneDelta => ({
  fromSerial: from,
  toSerial: to,
  added: new Array<ZoneRecord>(added).fill(txt(`a${from}`)),
  removed: new Array<ZoneRecord>(removed).fill(txt(`r${from}`)),
})
const serials = (ds: ZoneDelta[] | null): unknown => ds?.map((d) => [d.fromSerial, d.toSerial])

describe('IxfrJournal', () => {
  it('when deltas chain, then since() returns the chain from that serial to the newest', () => {
    const j = new IxfrJournal(10)
    j.record(delta(1, 2))
    j.record(delta(2, 3))
    j.record(delta(3, 4))
    expect(serials(j.since(1))).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ])
    expect(serials(j.since(3))).toEqual([[3, 4]])
    expect(j.since(4)).toEqual([])
    expect(j.since(0)).toBeNull()
    expect(j.since(7)).toBeNull()
  })

  it('when nothing was recorded, then no serial can be bridged', () => {
    const j = new IxfrJournal(10)
    expect(j.since(0)).toBeNull()
    expect(j.since(1)).toBeNull()
  })

  it('when a delta does not start where the chain ends, then the chain starts anew', () => {
    const j = new IxfrJournal(10)
    j.record(delta(1, 2))
    j.record(delta(5, 6))
    expect(j.since(1)).toBeNull()
    expect(j.since(2)).toBeNull()
    expect(serials(j.since(5))).toEqual([[5, 6]])
  })

  it('when more deltas than maxDeltas come, then the oldest are dropped', () => {
    const j = new IxfrJournal(2)
    for (let s = 1; s <= 4; s++) j.record(delta(s, s + 1))
    expect(j.since(1)).toBeNull()
    expect(j.since(2)).toBeNull()
    expect(serials(j.since(3))).toEqual([
      [3, 4],
      [4, 5],
    ])
  })

  it('when the records pass 100k, then the oldest deltas are dropped', () => {
    const j = new IxfrJournal(100)
    j.record(delta(1, 2, 60_000))
    j.record(delta(2, 3, 30_000, 10_000))
    expect(serials(j.since(1))).toEqual([
      [1, 2],
      [2, 3],
    ])
    j.record(delta(3, 4, 1))
    expect(j.since(1)).toBeNull()
    expect(serials(j.since(2))).toEqual([
      [2, 3],
      [3, 4],
    ])
  })

  it('when one delta alone passes 100k, then it cannot be bridged but the chain goes on', () => {
    const j = new IxfrJournal(100)
    j.record(delta(1, 2, 100_001))
    expect(j.since(1)).toBeNull()
    expect(j.since(2)).toEqual([])
    j.record(delta(2, 3))
    expect(serials(j.since(2))).toEqual([[2, 3]])
  })

  it('when serials wrap, then the chain follows them', () => {
    const j = new IxfrJournal(10)
    j.record(delta(MAX, serialNext(MAX)))
    j.record(delta(1, 2))
    expect(serials(j.since(MAX))).toEqual([
      [MAX, 1],
      [1, 2],
    ])
  })

  it('when cleared, then nothing can be bridged until a new chain starts', () => {
    const j = new IxfrJournal(10)
    j.record(delta(1, 2))
    j.clear()
    expect(j.since(1)).toBeNull()
    expect(j.since(2)).toBeNull()
    j.record(delta(9, 10))
    expect(serials(j.since(9))).toEqual([[9, 10]])
  })
})

describe('transfer record sequences', () => {
  const soaSerial = (r: ZoneRecord | undefined): number | undefined =>
    r?.type === 'SOA' ? r.data.serial : undefined

  it('when AXFR, then SOA, every other record once, SOA (RFC 5936 §2.2)', () => {
    const zone = new ZoneIndex(settings, 5)
    zone.put({ label: 'a-1', mtaSts: 'v=STSv1; id=1', tlsRpt: null, bimi: [] })
    const records = axfrRecords(zone)
    expect(records.map((r) => r.type)).toEqual(['SOA', 'NS', 'A', 'TXT', 'SOA'])
    expect(records[0]).toBe(zone.soa())
    expect(records.at(-1)).toBe(zone.soa())
    expect(zone.all()).toHaveLength(4) // all() itself was not changed
  })

  it('when IXFR with deltas, then RFC 1995 §4 order with the old and new SOAs', () => {
    const zone = new ZoneIndex(settings, 3)
    const d1 = delta(1, 2, 1, 1)
    const d2 = delta(2, 3, 2, 0)
    const records = ixfrRecords(zone, [d1, d2])
    expect(records.map((r) => (r.type === 'SOA' ? `SOA ${soaSerial(r)}` : r))).toEqual([
      'SOA 3',
      'SOA 1',
      ...d1.removed,
      'SOA 2',
      ...d1.added,
      'SOA 2',
      ...d2.removed,
      'SOA 3',
      ...d2.added,
      'SOA 3',
    ])
    // An older SOA is the current one with that serial.
    const [current, old] = records
    expect(old?.type === 'SOA' && { ...old.data, serial: 3 }).toEqual(
      current?.type === 'SOA' && current.data,
    )
  })

  it('when IXFR with no deltas, then the current SOA alone (RFC 1995 §2)', () => {
    const zone = new ZoneIndex(settings, 3)
    expect(ixfrRecords(zone, [])).toEqual([zone.soa()])
  })
})
