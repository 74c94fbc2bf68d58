import { describe, expect, it } from 'vitest'
import { ZoneIndex } from './zone-index.js'
import { ORIGIN, testZoneSettings } from '../../../test/helpers/zone-fixtures.js'
import type { ZoneEntry, ZoneRecord } from './zone-types.js'

const settings = testZoneSettings({
  nameservers: [`ns1.${ORIGIN}`, 'ns2.other.example'],
  nameserverAddresses: {
    [`ns1.${ORIGIN}`]: ['192.0.2.53', '2001:db8::53'],
    'ns2.other.example': ['198.51.100.1'],
  },
})

const entry = (label: string, over: Partial<ZoneEntry> = {}): ZoneEntry => ({
  label,
  mtaSts: 'v=STSv1; id=20261206',
  tlsRpt: 'v=TLSRPTv1; rua=mailto:tls@example.com',
  bimi: [{ selector: 'default', value: 'v=BIMI1; l=https://x.example/l.svg' }],
  ...over,
})

const txt = (record: ZoneRecord | undefined): string => {
  if (record?.type !== 'TXT') throw new Error('not TXT')
  return (record.data as string[]).join('')
}
const types = (name: string, zone: ZoneIndex): string[] | undefined => {
  const node = zone.node(name)
  return node === undefined ? undefined : [...node.keys()].sort()
}

describe('ZoneIndex apex', () => {
  it('when built, then the apex holds SOA and NS and in-zone nameservers have glue', () => {
    const zone = new ZoneIndex(settings, 7)
    expect(types(ORIGIN, zone)).toEqual(['NS', 'SOA'])
    expect(zone.soa()).toEqual({
      name: ORIGIN,
      type: 'SOA',
      class: 'IN',
      ttl: 300,
      data: {
        mname: `ns1.${ORIGIN}`,
        rname: `hostmaster.${ORIGIN}`,
        serial: 7,
        refresh: 3600,
        retry: 600,
        expire: 1_209_600,
        minimum: 60,
      },
    })
    expect(
      zone
        .node(ORIGIN)
        ?.get('NS')
        ?.map((r) => r.type === 'NS' && r.data),
    ).toEqual([`ns1.${ORIGIN}`, 'ns2.other.example'])
    expect(types(`ns1.${ORIGIN}`, zone)).toEqual(['A', 'AAAA'])
    expect(zone.glue().map((r) => [r.name, r.type])).toEqual([
      [`ns1.${ORIGIN}`, 'A'],
      [`ns1.${ORIGIN}`, 'AAAA'],
    ])
    // Out of zone: the parent's business, never served here.
    expect(zone.node('ns2.other.example')).toBeUndefined()
  })

  it('when the serial changes, then soa(), the apex node and all() carry it', () => {
    const zone = new ZoneIndex(settings, 1)
    zone.serial = 2
    expect(zone.serial).toBe(2)
    for (const soa of [zone.soa(), zone.node(ORIGIN)?.get('SOA')?.[0], zone.all()[0]]) {
      expect(soa?.type === 'SOA' && soa.data.serial).toBe(2)
    }
  })

  it('when a glue name is deeper, then its parents are empty non-terminals', () => {
    const zone = new ZoneIndex(
      { ...settings, nameserverAddresses: { [`a.ns.${ORIGIN}`]: ['192.0.2.1'] } },
      1,
    )
    expect(zone.node(`ns.${ORIGIN}`)?.size).toBe(0)
    expect(zone.glue()).toEqual([])
  })
})

describe('ZoneIndex entries', () => {
  const zone = new ZoneIndex(settings, 1)
  const first = zone.put(entry('a-1'))

  it('when an entry is put, then its three TXT records are added and nothing removed', () => {
    expect(first.removed).toEqual([])
    expect(first.added.map((r) => r.name)).toEqual([
      `a-1._mta-sts.${ORIGIN}`,
      `a-1._smtp._tls.${ORIGIN}`,
      `default.a-1._bimi.${ORIGIN}`,
    ])
    expect(first.added.every((r) => r.type === 'TXT' && r.ttl === 300 && r.class === 'IN')).toBe(
      true,
    )
    expect(zone.size).toBe(1)
    expect(zone.entry('a-1')).toEqual(entry('a-1'))
  })

  it.each([
    [`a-1._mta-sts.${ORIGIN}`, ['TXT']],
    [`a-1._smtp._tls.${ORIGIN}`, ['TXT']],
    [`default.a-1._bimi.${ORIGIN}`, ['TXT']],
    // RFC 8020: empty non-terminals exist (NODATA), they are not NXDOMAIN.
    [`_mta-sts.${ORIGIN}`, []],
    [`_smtp._tls.${ORIGIN}`, []],
    [`_tls.${ORIGIN}`, []],
    [`_bimi.${ORIGIN}`, []],
    [`a-1._bimi.${ORIGIN}`, []],
    [`_smtp.${ORIGIN}`, undefined],
    [`b-2._mta-sts.${ORIGIN}`, undefined],
    [`other.a-1._bimi.${ORIGIN}`, undefined],
    [`x.a-1._mta-sts.${ORIGIN}`, undefined],
  ])('when %s is looked up, then its types are %j', (name, expected) => {
    expect(types(name, zone)).toEqual(expected)
  })

  it('when the same entry is put again, then the diff is empty', () => {
    expect(zone.put(entry('a-1'))).toEqual({ removed: [], added: [] })
  })

  it('when the caller changes its entry object after put, then the next put still diffs', () => {
    const z = new ZoneIndex(settings, 1)
    const e = entry('a-1')
    z.put(e)
    e.mtaSts = 'v=STSv1; id=3'
    e.bimi.push({ selector: 'two', value: 'v=BIMI1;' })
    const diff = z.put(e)
    expect(diff.removed.map(txt)).toEqual(['v=STSv1; id=20261206'])
    expect(diff.added.map(txt)).toEqual(['v=STSv1; id=3', 'v=BIMI1;'])
  })

  it('when one value changes, then only that record leaves and comes, the others are kept', () => {
    const z = new ZoneIndex(settings, 1)
    const { added } = z.put(entry('a-1'))
    const diff = z.put(entry('a-1', { mtaSts: 'v=STSv1; id=2' }))
    expect(diff.removed).toEqual([added[0]])
    expect(diff.added.map(txt)).toEqual(['v=STSv1; id=2'])
    expect(z.node(`a-1._smtp._tls.${ORIGIN}`)?.get('TXT')?.[0]).toEqual(added[1])
  })

  it('when a record goes to null, then it is removed and its ENT with it', () => {
    const z = new ZoneIndex(settings, 1)
    z.put(entry('a-1'))
    const diff = z.put(entry('a-1', { tlsRpt: null, bimi: [] }))
    expect(diff.added).toEqual([])
    expect(diff.removed.map((r) => r.name)).toEqual([
      `a-1._smtp._tls.${ORIGIN}`,
      `default.a-1._bimi.${ORIGIN}`,
    ])
    for (const gone of ['_tls', '_smtp._tls', '_bimi', 'a-1._bimi']) {
      expect(z.node(`${gone}.${ORIGIN}`)).toBeUndefined()
    }
    expect(z.node(`_mta-sts.${ORIGIN}`)?.size).toBe(0)
  })

  it('when BIMI repeats a selector, then one RRset holds its distinct values', () => {
    const z = new ZoneIndex(settings, 1)
    const bimi = [
      { selector: 'Brand', value: 'v=BIMI1; l=1' },
      { selector: 'brand', value: 'v=BIMI1; l=1' },
      { selector: 'brand', value: 'v=BIMI1; l=2' },
    ]
    const diff = z.put(entry('a-1', { mtaSts: null, tlsRpt: null, bimi }))
    expect(diff.added.map(txt)).toEqual(['v=BIMI1; l=1', 'v=BIMI1; l=2'])
    expect(z.node(`brand.a-1._bimi.${ORIGIN}`)?.get('TXT')?.length).toBe(2)
    const less = z.put(entry('a-1', { mtaSts: null, tlsRpt: null, bimi: bimi.slice(2) }))
    expect(less.removed.map(txt)).toEqual(['v=BIMI1; l=1'])
    expect(less.added).toEqual([])
  })

  it('when entries share ENTs, then only removing the last one makes them disappear', () => {
    const z = new ZoneIndex(settings, 1)
    z.put(entry('a-1'))
    z.put(entry('b-2'))
    const diff = z.remove('a-1')
    expect(diff.added).toEqual([])
    expect(diff.removed).toHaveLength(3)
    expect(z.node(`a-1._mta-sts.${ORIGIN}`)).toBeUndefined()
    expect(z.node(`a-1._bimi.${ORIGIN}`)).toBeUndefined()
    expect(z.node(`_bimi.${ORIGIN}`)?.size).toBe(0)
    z.remove('b-2')
    for (const gone of ['_mta-sts', '_tls', '_smtp._tls', '_bimi']) {
      expect(z.node(`${gone}.${ORIGIN}`)).toBeUndefined()
    }
    expect(z.size).toBe(0)
    expect(z.all()).toHaveLength(1 + 2 + 2) // SOA, NS ×2, glue ×2
    expect(z.remove('b-2')).toEqual({ removed: [], added: [] })
  })

  it.each([
    ['a label with a dot', entry('a.b')],
    ['an upper-case label', entry('A-1')],
    ['an empty label', entry('')],
    ['a label ending in -', entry('a-')],
    ['a selector with a space', entry('a-1', { bimi: [{ selector: 'a b', value: 'v' }] })],
    ['a selector with an empty label', entry('a-1', { bimi: [{ selector: 'a..b', value: 'v' }] })],
    [
      'a name past 253 characters',
      entry('a-1', {
        bimi: [{ selector: 'x'.repeat(63) + ('.' + 'y'.repeat(63)).repeat(3), value: 'v' }],
      }),
    ],
  ])('when put gets %s, then it throws and changes nothing', (_, bad) => {
    const z = new ZoneIndex(settings, 1)
    expect(() => z.put(bad)).toThrow()
    expect(z.size).toBe(0)
    expect(z.all()).toHaveLength(5)
  })
})

describe('ZoneIndex TXT data', () => {
  it.each([
    ['empty', '', [0]],
    ['255 ASCII octets', 'a'.repeat(255), [255]],
    ['256 ASCII octets', 'a'.repeat(256), [255, 1]],
    // 'é' is two octets: 127 of them fill 254, the 128th would cross 255, so it starts a string.
    ['two-octet chars at the boundary', 'é'.repeat(128), [254, 2]],
    ['four-octet chars', '😀'.repeat(70), [252, 28]],
  ])('when the value is %s, then its strings are %j octets', (_, value, sizes) => {
    const z = new ZoneIndex(settings, 1)
    const [record] = z.put(entry('a-1', { mtaSts: value, tlsRpt: null, bimi: [] })).added
    // Strings, the entry's own (no Buffer per record); dns-packet writes them as UTF-8.
    const data = record?.type === 'TXT' ? (record.data as string[]) : []
    expect(data.map((s) => Buffer.byteLength(s, 'utf8'))).toEqual(sizes)
    expect(data.every((s) => typeof s === 'string')).toBe(true)
    expect(txt(record)).toBe(value)
  })
})

describe('ZoneIndex at scale', () => {
  it('when 100k entries are put, then every sampled name answers and all() lists each once', () => {
    const z = new ZoneIndex(settings, 1)
    const n = 100_000
    for (let i = 0; i < n; i++) {
      z.put({
        label: `d${i}`,
        mtaSts: `v=STSv1; id=${i}`,
        tlsRpt: 'v=TLSRPTv1; rua=mailto:tls@example.com',
        bimi: i % 2 === 0 ? [{ selector: 'default', value: `v=BIMI1; l=${i}` }] : [],
      })
    }
    expect(z.size).toBe(n)
    for (const i of [0, 1, 4242, 77_777, n - 1]) {
      expect(txt(z.node(`d${i}._mta-sts.${ORIGIN}`)?.get('TXT')?.[0])).toBe(`v=STSv1; id=${i}`)
      expect(z.node(`d${i}._bimi.${ORIGIN}`)?.size).toBe(i % 2 === 0 ? 0 : undefined)
    }
    const all = z.all()
    expect(all).toHaveLength(5 + 2 * n + n / 2)
    expect(all[0]).toBe(z.soa())
    expect(all.filter((r) => r.type === 'SOA')).toHaveLength(1)
  })
})

describe('ZoneIndex load', () => {
  it('when entries are loaded, then they answer as put ones do, with the ENTs above them', () => {
    const z = new ZoneIndex(settings, 1)
    z.load([entry('a-1'), entry('b-2', { tlsRpt: null, bimi: [] })])
    expect(z.size).toBe(2)
    expect(txt(z.node(`a-1._mta-sts.${ORIGIN}`)?.get('TXT')?.[0])).toBe('v=STSv1; id=20261206')
    expect(types(`_smtp._tls.${ORIGIN}`, z)).toEqual([])
    expect(types(`b-2._smtp._tls.${ORIGIN}`, z)).toBeUndefined()
    expect(z.remove('a-1').removed).toHaveLength(3)
    expect(types(`_smtp._tls.${ORIGIN}`, z)).toBeUndefined()
  })

  it.each([
    ['a label twice', [entry('a-1'), entry('a-1')], 'CONFLICT'],
    ['a label that is not one', [entry('A B')], 'VALIDATION'],
  ])('when %s is loaded, then it is refused', (_, entries, code) => {
    const z = new ZoneIndex(settings, 1)
    expect(() => z.load(entries)).toThrow(expect.objectContaining({ code }))
  })
})
