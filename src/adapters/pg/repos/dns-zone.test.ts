import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { ZoneRepo } from '../../../core/dns/zone-ports.js'
import type { ZoneEntry } from '../../../core/dns/zone-types.js'
import { DomainError } from '../../../core/errors.js'
import { zoneRepo as sqliteZoneRepo } from '../../db/repos/dns-zone.js'
import { zoneRepo as pgZoneRepo } from './dns-zone.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

const entry = (label: string): ZoneEntry => ({
  label,
  mtaSts: `v=STSv1; id=${label}`,
  tlsRpt: null,
  bimi: [],
})
const live = (id: string, stsId: string | null = id) => ({
  label: `l${id}`,
  entry: entry(`l${id}`),
  stsId,
})
const tombstone = (id: string) => ({ label: `l${id}`, entry: null, stsId: null })

const audit = (subject: string) => ({
  at: T0,
  tenantId: 't1',
  actorTokenId: null,
  action: 'domain.dns_mode',
  subject,
})

describe.each(STORE_KINDS)('ZoneRepo (%s store)', (kind) => {
  let store: TestStore
  let zone: ZoneRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    zone = store.sqlite ? sqliteZoneRepo(store.sqlite) : pgZoneRepo(store.pg.db)
  })
  afterEach(() => store.close())

  const addDomain = async (
    id: string,
    o: { status?: string; dnsMode?: string; policyId?: string; tenant?: string } = {},
  ) => {
    await store.sql(
      'INSERT INTO domains (id, tenant_id, name, status, created_at, dns_mode) VALUES (?, ?, ?, ?, 0, ?)',
      id,
      o.tenant ?? 't1',
      `${id}.example`,
      o.status ?? 'active',
      o.dnsMode ?? 'self',
    )
    if (o.policyId !== undefined) {
      await store.sql(
        'INSERT INTO mta_sts_policies (domain_id, mode, max_age, mx, policy_id, text, updated_at) ' +
          "VALUES (?, 'testing', 86400, '[\"mx.example\"]', ?, 'x', 0)",
        id,
        o.policyId,
      )
    }
  }
  const addTenant = () =>
    store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")

  it('when the zone is created, then it starts at the first caller’s initial version and keeps it', async () => {
    expect(await zone.version(5000)).toBe(5000)
    expect(await zone.version(9000)).toBe(5000)
    expect(await zone.since(0)).toEqual({ version: 5000, entries: [] })
  })

  it('when an entry is written before any server created the zone, then the zone starts at now in seconds and is bumped once', async () => {
    expect(await zone.write('d1', live('d1'), null, T0)).toBe(T0.getTime() / 1000 + 1)
    expect(await zone.version(1)).toBe(T0.getTime() / 1000 + 1)
  })

  it('when entries are written and one removed, then each write bumps the zone and since() returns the newer rows, tombstones included, in version order', async () => {
    const v0 = await zone.version(100)
    expect(await zone.write('d1', live('d1'), null, T0)).toBe(v0 + 1)
    expect(await zone.write('d2', live('d2'), null, T0)).toBe(v0 + 2)
    expect(await zone.write('d1', tombstone('d1'), v0 + 1, at(1))).toBe(v0 + 3)

    expect(await zone.entry('d1')).toEqual({
      domainId: 'd1',
      label: 'ld1',
      entry: null,
      stsId: null,
      version: v0 + 3,
    })
    expect(await zone.entry('d2')).toEqual({
      domainId: 'd2',
      label: 'ld2',
      entry: entry('ld2'),
      stsId: 'd2',
      version: v0 + 2,
    })
    expect(await zone.entry('nope')).toBeNull()
    const since = await zone.since(v0 + 1)
    expect(since.version).toBe(v0 + 3)
    expect(since.entries.map((e) => [e.domainId, e.version, e.entry === null])).toEqual([
      ['d2', v0 + 2, false],
      ['d1', v0 + 3, true],
    ])
    expect((await zone.since(v0 + 3)).entries).toEqual([])
  })

  it('when the row moved since the caller read it, then write returns null and writes nothing', async () => {
    const v0 = await zone.version(100)
    await zone.write('d1', live('d1', 'a'), null, T0)
    expect(await zone.write('d1', live('d1', 'b'), null, T0)).toBeNull()
    expect(await zone.write('d1', live('d1', 'b'), v0 + 7, T0)).toBeNull()
    expect(await zone.write('d2', live('d2'), v0 + 1, T0)).toBeNull()
    expect(await zone.version(0)).toBe(v0 + 1)
    expect((await zone.entry('d1'))?.stsId).toBe('a')
    expect(await zone.entry('d2')).toBeNull()
  })

  it('when writers race on one row at the same expected version, then exactly one wins each time', async () => {
    // Warm the pool, so that the racing transactions really overlap on PostgreSQL.
    const v0 = (await Promise.all([1, 2, 3, 4].map(() => zone.version(100))))[0]!
    for (let round = 0; round < 8; round++) {
      const id = `r${round}`
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((sts) => zone.write(id, live(id, sts), null, T0)),
      )
      const won = results.filter((r) => r !== null)
      expect(won).toEqual([v0 + 1 + round])
      const winner = ['a', 'b', 'c', 'd'][results.findIndex((r) => r !== null)]
      expect(await zone.entry(id)).toMatchObject({ stsId: winner, version: v0 + 1 + round })
    }
    expect(await zone.version(0)).toBe(v0 + 8)
  })

  it('when many writers race on different rows, then each gets a distinct version and a reader chaining since() misses none', async () => {
    const v0 = await zone.version(100)
    const ids = Array.from({ length: 12 }, (_, i) => `d${String(i).padStart(2, '0')}`)
    const seen = new Map<string, number>()
    let mine = v0
    let writing = true
    const reader = (async () => {
      // A reader that trusted a version whose lower bumps were not yet committed would skip them.
      while (writing) {
        const s = await zone.since(mine)
        for (const e of s.entries) {
          expect(e.version).toBeLessThanOrEqual(s.version)
          seen.set(e.domainId, e.version)
        }
        mine = s.version
      }
    })()
    const versions = await Promise.all(ids.map((id) => zone.write(id, live(id), null, T0)))
    writing = false
    await reader
    for (const e of (await zone.since(mine)).entries) seen.set(e.domainId, e.version)

    expect([...versions].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(ids.map((_, i) => v0 + 1 + i))
    expect([...seen.keys()].sort()).toEqual(ids)
    expect(await zone.version(0)).toBe(v0 + ids.length)
  })

  it('when entries and a tombstone are stored, then the pages hold every live entry once, in id order, and end', async () => {
    await zone.version(100)
    for (const id of ['d5', 'd1', 'd4', 'd2', 'd3']) await zone.write(id, live(id), null, T0)
    const d3 = await zone.entry('d3')
    await zone.write('d3', tombstone('d3'), d3?.version ?? null, T0)

    const pages: string[][] = []
    for (let after: string | null = ''; after !== null;) {
      const page: Awaited<ReturnType<ZoneRepo['loadPage']>> = await zone.loadPage(after, 2)
      pages.push(page.entries.map((e) => e.domainId))
      expect(page.entries.every((e) => e.entry?.label === e.label)).toBe(true)
      after = page.next
    }
    expect(pages).toEqual([
      ['d1', 'd2'],
      ['d4', 'd5'],
    ])
    expect(await zone.loadPage('d5', 2)).toEqual({ entries: [], next: null })
  })

  it('when the DNS mode is set, then the domain gets the mode and a label once, with an audit row; a taken label is a CONFLICT', async () => {
    await addTenant()
    await addDomain('a')
    await addDomain('b')
    await zone.setMode('a', 'delegated', 'lbl-a', audit('a'))
    await zone.setMode('a', 'self', null, audit('a'))
    await expect(zone.setMode('b', 'delegated', 'lbl-a', audit('b'))).rejects.toSatisfy(
      (e: unknown) => e instanceof DomainError && e.code === 'CONFLICT',
    )
    const rows = await store.sql<{ id: string; dns_mode: string; dns_label: string | null }>(
      'SELECT id, dns_mode, dns_label FROM domains ORDER BY id',
    )
    expect(rows).toEqual([
      { id: 'a', dns_mode: 'self', dns_label: 'lbl-a' },
      { id: 'b', dns_mode: 'self', dns_label: null },
    ])
    const trail = await store.sql<{ subject: string }>('SELECT subject FROM audit_log ORDER BY id')
    expect(trail.map((r) => r.subject)).toEqual(['a', 'a'])
  })

  it('when instances heartbeat and ack, then notAcked lists the live ones not serving the id; leave drops an instance with its acks', async () => {
    await zone.heartbeat('i1', T0)
    await zone.heartbeat('i2', T0)
    await zone.heartbeat('i3', T0)
    await zone.heartbeat('i1', at(60))
    await zone.heartbeat('i2', at(60))
    // i3 stopped beating at T0: dead for a window starting after it.
    expect(await zone.notAcked('d1', 'p1', at(30))).toEqual(['i1', 'i2'])
    expect(await zone.notAcked('d1', 'p1', T0)).toEqual(['i1', 'i2', 'i3'])
    await zone.ack('i1', 'd1', 'p1', at(61))
    await zone.ack('i2', 'd1', 'p0', at(61))
    await zone.ack('i2', 'd2', 'p1', at(61))
    expect(await zone.notAcked('d1', 'p1', at(30))).toEqual(['i2'])
    await zone.ack('i2', 'd1', 'p1', at(62))
    expect(await zone.notAcked('d1', 'p1', at(30))).toEqual([])
    expect(await zone.notAcked('d1', 'p2', at(30))).toEqual(['i1', 'i2'])

    await zone.leave('i2')
    expect(await zone.notAcked('d1', 'p2', T0)).toEqual(['i1', 'i3'])
    const acks = await store.sql<{ instance_id: string }>(
      'SELECT instance_id FROM policy_acks ORDER BY instance_id, domain_id',
    )
    expect(acks.map((r) => r.instance_id)).toEqual(['i1'])
  })

  it('when the same id is acked again, then the row keeps its first time; a new id replaces it', async () => {
    await zone.heartbeat('i1', T0)
    await zone.ack('i1', 'd1', 'p1', at(1))
    await zone.ack('i1', 'd1', 'p1', at(2))
    const acked = async () =>
      (
        await store.sql<{ policy_id: string; acked_at: number }>(
          'SELECT policy_id, acked_at FROM policy_acks',
        )
      ).map((r) => [r.policy_id, Number(r.acked_at)])
    expect(await acked()).toEqual([['p1', at(1).getTime()]])
    await zone.ack('i1', 'd1', 'p2', at(3))
    expect(await acked()).toEqual([['p2', at(3).getTime()]])
  })

  it('when a change is marked waiting twice and cleared, then the list holds it once, oldest first, then not', async () => {
    await zone.markPending('d1', T0)
    await zone.markPending('d2', at(1))
    await zone.markPending('d1', at(2))
    expect(await zone.pending(10)).toEqual(['d1', 'd2'])
    expect(await zone.pending(1)).toEqual(['d1'])
    await zone.clearPending('d1')
    await zone.clearPending('never-marked')
    expect(await zone.pending(10)).toEqual(['d2'])
  })

  it('when domains are delegated without entries, out of date, undelegated, not live or gone, then the paged scan finds exactly those', async () => {
    await addTenant()
    await addDomain('a', { dnsMode: 'delegated', policyId: 'pa' }) // no entry
    await addDomain('b', { dnsMode: 'delegated', policyId: 'pb' }) // current
    await addDomain('c', { dnsMode: 'delegated', policyId: 'pc' }) // announces an old id
    await addDomain('d', { policyId: 'pd' }) // self mode, still has an entry
    await addDomain('e', { policyId: 'pe' }) // self mode, no entry: fine
    await addDomain('f', { dnsMode: 'delegated', status: 'retiring', policyId: 'pf' }) // current
    await addDomain('g', { dnsMode: 'delegated', status: 'pending' }) // not live, has an entry
    await addDomain('h', { dnsMode: 'delegated' }) // no policy, entry announces none: current
    await addDomain('i', { dnsMode: 'delegated' }) // no policy, tombstone only: missing
    await zone.version(100)
    await zone.write('b', live('b', 'pb'), null, T0)
    await zone.write('c', live('c', 'old'), null, T0)
    await zone.write('d', live('d', 'pd'), null, T0)
    await zone.write('f', live('f', 'pf'), null, T0)
    await zone.write('g', live('g', null), null, T0)
    await zone.write('h', live('h', null), null, T0)
    await zone.write('i', tombstone('i'), null, T0)
    await zone.write('bb-ghost', live('bb-ghost'), null, T0)
    await zone.write('zz-ghost', live('zz-ghost'), null, T0)
    await zone.write('zz-gone', tombstone('zz-gone'), null, T0)

    for (const limit of [1, 2, 3, 100]) {
      const pages: string[][] = []
      for (let after: string | null = ''; after !== null;) {
        const page: { ids: string[]; next: string | null } = await zone.scan(after, limit)
        pages.push(page.ids)
        after = page.next
      }
      const found = pages.flat()
      expect(new Set(found).size).toBe(found.length)
      expect(found.sort()).toEqual(['a', 'bb-ghost', 'c', 'd', 'g', 'i', 'zz-ghost'])
    }
  })
})
