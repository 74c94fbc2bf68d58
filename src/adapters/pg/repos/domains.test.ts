import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { Domain, DomainRepo, Hostname } from '../../../core/ports.js'
import { domainRepo as sqliteDomainRepo } from '../../db/repos/domains.js'
import { domainRepo } from './domains.js'

const T0 = Date.UTC(2026, 11, 1)
const at = (min: number) => new Date(T0 + min * 60_000)
const audit = (min: number) => ({
  at: at(min),
  tenantId: null,
  actorTokenId: null,
  action: 'test',
  subject: 'x',
})

/** A domain row; `min` is its creation time in minutes after T0. */
function domain(id: string, tenantId: string, name: string, over: Partial<Domain> = {}) {
  return {
    id,
    tenantId,
    name,
    status: 'active',
    createdAt: at(0),
    retiredAt: null,
    removeAt: null,
    maxAgeHigh: null,
    verificationToken: null,
    verifiedAt: null,
    claimExpiresAt: null,
    lastCheckAt: null,
    lastCheckError: null,
    dnsMode: 'self',
    dnsLabel: null,
    ...over,
  } satisfies Domain
}

const policyHost = (d: { id: string; name: string }): Hostname => ({
  name: `mta-sts.${d.name}`,
  domainId: d.id,
  role: 'policy',
})

/** Byte order, as SQLite compares text and as `list` promises on either store. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

describe.each(STORE_KINDS)('%s store: DomainRepo', (kind) => {
  let store: TestStore
  let repo: DomainRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    repo = store.sqlite ? sqliteDomainRepo(store.sqlite.db) : domainRepo(store.pg.db)
    for (const t of ['t1', 't2', 't3'])
      await store.sql(`INSERT INTO tenants (id, name, created_at) VALUES (?, ?, 0)`, t, t)
  })
  afterEach(() => store.close())
  const count = async (table: string) =>
    Number((await store.sql<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n)

  test('when a domain is created, then it reads back by id, name and tenant, with its hostnames and a queued certificate', async () => {
    const d = domain('d1', 't1', 'example.com', { maxAgeHigh: 86400 })
    await repo.create(d, [policyHost(d)], audit(0))
    expect(await repo.byId('d1')).toMatchObject(d)
    expect(await repo.byName('example.com')).toMatchObject(d)
    expect(await repo.ofTenant('t1', 'example.com')).toMatchObject(d)
    expect(await repo.ofTenant('t2', 'example.com')).toBeNull()
    expect(await repo.byId('nope')).toBeNull()
    expect(await repo.hostnames('d1')).toEqual([policyHost(d)])
    expect(await store.sql(`SELECT hostname, status, due_at FROM certificates`)).toEqual([
      { hostname: 'mta-sts.example.com', status: 'pending', due_at: T0 },
    ])
    expect(await count('audit_log')).toBe(1)
  })

  test('when the tenant has the name already, or another tenant holds it live, then create is a CONFLICT and writes nothing', async () => {
    const d = domain('d1', 't1', 'example.com')
    await repo.create(d, [policyHost(d)], audit(0))
    const again = domain('d2', 't1', 'example.com', { status: 'pending' })
    await expect(repo.create(again, [], audit(1))).rejects.toMatchObject({ code: 'CONFLICT' })
    const taken = domain('d3', 't2', 'example.com')
    await expect(repo.create(taken, [], audit(1))).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await repo.claims('example.com')).toHaveLength(1)
    expect(await count('audit_log')).toBe(1)
  })

  test('when two tenants create the same live name at once, then exactly one wins and the other gets a CONFLICT', async () => {
    const results = await Promise.allSettled([
      repo.create(domain('d1', 't1', 'example.com'), [], audit(0)),
      repo.create(domain('d2', 't2', 'example.com'), [], audit(0)),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const [lost] = results.filter((r) => r.status === 'rejected')
    expect(lost?.reason).toMatchObject({ code: 'CONFLICT' })
  })

  test('when other tenants claim a live name, then byName gives the live row, ofTenant the claim, claims all oldest first', async () => {
    await repo.create(
      domain('d2', 't2', 'example.com', { status: 'pending', createdAt: at(2) }),
      [],
      audit(2),
    )
    await repo.create(domain('d1', 't1', 'example.com', { createdAt: at(1) }), [], audit(1))
    await repo.create(
      domain('d3', 't3', 'example.com', { status: 'pending', createdAt: at(2) }),
      [],
      audit(2),
    )
    expect((await repo.byName('example.com'))?.id).toBe('d1')
    expect((await repo.ofTenant('t2', 'example.com'))?.status).toBe('pending')
    expect((await repo.claims('example.com')).map((d) => d.id)).toEqual(['d1', 'd2', 'd3'])
    expect(await repo.byName('pending-only.example')).toBeNull()
    await repo.create(
      domain('d4', 't1', 'pending-only.example', { status: 'pending' }),
      [],
      audit(3),
    )
    expect(await repo.byName('pending-only.example')).toBeNull()
  })

  test('when domains are listed in pages, then the pages join up to the whole list in byte order of (name, id)', async () => {
    // Byte order puts 'Z' before 'a', '-' before '.' before '0', and 'é' last; most
    // linguistic collations would not.
    const names = ['a.example', 'a0.example', 'a-b.example', 'Z.example', 'é.example', 'b.example']
    let i = 0
    for (const name of names) {
      i++
      await repo.create(domain(`d${i}`, i % 2 ? 't1' : 't2', name), [], audit(i))
    }
    // The same name twice (a pending claim of another tenant): the id breaks the tie.
    await repo.create(domain('c9', 't3', 'b.example', { status: 'pending' }), [], audit(9))
    const all = await repo.list(null)
    const want = [...names, 'b.example'].sort(byBytes)
    expect(all.map((d) => d.name)).toEqual(want)
    expect(all.filter((d) => d.name === 'b.example').map((d) => d.id)).toEqual(['c9', 'd6'])
    const paged: Domain[] = []
    let after: { name: string; id: string } | null = null
    for (;;) {
      const page = await repo.list(null, { after, limit: 2 })
      if (page.length === 0) break
      paged.push(...page)
      after = { name: page.at(-1)!.name, id: page.at(-1)!.id }
    }
    expect(paged.map((d) => d.id)).toEqual(all.map((d) => d.id))
    const t1 = await repo.list('t1', { after: null, limit: 10 })
    expect(t1.map((d) => d.name)).toEqual(['a.example', 'a-b.example', 'é.example'].sort(byBytes))
  })

  test('when a check is recorded, then only a pending claim takes it', async () => {
    await repo.create(domain('d1', 't1', 'live.example'), [], audit(0))
    await repo.create(domain('d2', 't1', 'claim.example', { status: 'pending' }), [], audit(0))
    await repo.recordCheck('d1', at(5), 'no TXT')
    await repo.recordCheck('d2', at(5), 'no TXT')
    expect(await repo.byId('d1')).toMatchObject({ lastCheckAt: null, lastCheckError: null })
    expect(await repo.byId('d2')).toMatchObject({ lastCheckAt: at(5), lastCheckError: 'no TXT' })
  })

  test('when claims expire, then expiredClaims gives the pending ones whose time is up, at most limit', async () => {
    const claim = (id: string, min: number, status: Domain['status'] = 'pending') =>
      repo.create(
        domain(id, 't1', `${id}.example`, { status, claimExpiresAt: at(min) }),
        [],
        audit(0),
      )
    await claim('gone1', 5)
    await claim('gone2', 10)
    await claim('later', 11)
    await claim('live', 1, 'active')
    const ids = (ds: Domain[]) => ds.map((d) => d.id).sort()
    expect(ids(await repo.expiredClaims(at(10), 10))).toEqual(['gone1', 'gone2'])
    expect(await repo.expiredClaims(at(10), 1)).toHaveLength(1)
  })

  test('when a domain is removed, then its rows go, and the logos no domain publishes any more', async () => {
    const d1 = domain('d1', 't1', 'one.example')
    const d2 = domain('d2', 't1', 'two.example')
    await repo.create(d1, [policyHost(d1)], audit(0))
    await repo.create(d2, [policyHost(d2)], audit(0))
    const logo = `INSERT INTO logos (sha256, svg, size, created_at) VALUES (?, ?, 3, 0)`
    await store.sql(logo, 'own', Buffer.from('<s>'))
    await store.sql(logo, 'shared', Buffer.from('<t>'))
    const link = `INSERT INTO domain_logos (domain_id, sha256, created_at) VALUES (?, ?, 0)`
    await store.sql(link, 'd1', 'own')
    await store.sql(link, 'd1', 'shared')
    await store.sql(link, 'd2', 'shared')
    await repo.remove('d1', audit(1))
    expect(await repo.byId('d1')).toBeNull()
    expect(await repo.hostnames('d1')).toEqual([])
    expect(await store.sql(`SELECT sha256 FROM logos`)).toEqual([{ sha256: 'shared' }])
    expect(await repo.byId('d2')).not.toBeNull()
    expect(await count('audit_log')).toBe(3)
  })

  test('when retiring domains reach their removal time, then dueForRemoval gives exactly those', async () => {
    await repo.create(
      domain('due', 't1', 'due.example', { status: 'retiring', removeAt: at(5) }),
      [],
      audit(0),
    )
    await repo.create(
      domain('soon', 't1', 'soon.example', { status: 'retiring', removeAt: at(6) }),
      [],
      audit(0),
    )
    await repo.create(domain('live', 't1', 'live.example', { removeAt: at(1) }), [], audit(0))
    expect((await repo.dueForRemoval(at(5))).map((d) => d.id)).toEqual(['due'])
  })
})
