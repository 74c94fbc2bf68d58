import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type {
  Displacement,
  Domain,
  DomainRepo,
  Hostname,
  PolicyRepo,
  StoredPolicy,
} from '../../../core/ports.js'
import { domainRepo as sqliteDomainRepo } from '../../db/repos/domains.js'
import { policyRepo as sqlitePolicyRepo } from '../../db/repos/policies.js'
import { domainRepo } from './domains.js'
import { policyRepo } from './policies.js'

const T0 = Date.UTC(2026, 11, 1)
const at = (min: number) => new Date(T0 + min * 60_000)
const audit = (min: number, tenantId: string | null = null) => ({
  at: at(min),
  tenantId,
  actorTokenId: null,
  action: 'test',
  subject: 'x',
})

function domain(id: string, tenantId: string, name: string, over: Partial<Domain> = {}): Domain {
  return {
    ...{ id, tenantId, name, status: 'active', createdAt: at(0), retiredAt: null, removeAt: null },
    ...{ maxAgeHigh: null, verificationToken: null, verifiedAt: null, claimExpiresAt: null },
    ...{ lastCheckAt: null, lastCheckError: null, dnsMode: 'self', dnsLabel: null },
    ...over,
  }
}
const claim = (id: string, tenantId: string, name: string, over: Partial<Domain> = {}) =>
  domain(id, tenantId, name, { status: 'pending', claimExpiresAt: at(60), ...over })
/** The claim as the service passes it to verify: control proven at `min`. */
const proven = (c: Domain, min: number): Domain => ({
  ...c,
  verifiedAt: at(min),
  lastCheckAt: at(min),
})
const displacement = (token: string): Displacement => ({
  verificationToken: token,
  claimExpiresAt: at(70),
  lastCheckError: 'control moved',
  audit: (old) => ({ ...audit(10, old.tenantId), action: 'displaced' }),
})
const host = (name: string, domainId: string, role: Hostname['role'] = 'policy'): Hostname => ({
  name,
  domainId,
  role,
})
const policy = (id: string, mode: StoredPolicy['mode'], maxAge: number): StoredPolicy => ({
  domainId: 'd1',
  mode,
  mx: ['mx.example.com'],
  maxAge,
  policyId: id,
  text: `version: STSv1\r\nmode: ${mode}\r\nmx: mx.example.com\r\nmax_age: ${maxAge}\r\n`,
  updatedAt: at(1),
})

/**
 * PostgreSQL: locks a domain's hostname rows in a transaction of its own; the function returned
 * waits until `waiters` other backends of this database wait on a lock, then lets go. SQLite: a
 * no-op (its calls never interleave).
 */
async function holdHostnames(store: TestStore, domainId: string) {
  if (!store.pg) return async (_waiters: number) => {}
  const client = await store.pg.pool.connect()
  await client.query('BEGIN')
  await client.query('SELECT 1 FROM hostnames WHERE domain_id = $1 FOR UPDATE', [domainId])
  return async (waiters: number) => {
    const deadline = Date.now() + 5000
    for (;;) {
      // Inside a transaction the activity view is a snapshot taken at first use; refresh it.
      await client.query('SELECT pg_stat_clear_snapshot()')
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
      if (rows[0]!.n >= waiters || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 10))
    }
    await client.query('COMMIT')
    client.release()
  }
}

describe.each(STORE_KINDS)('%s store: DomainRepo verify, retire, restore', (kind) => {
  let store: TestStore
  let repo: DomainRepo
  let policies: PolicyRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    repo = store.sqlite ? sqliteDomainRepo(store.sqlite.db) : domainRepo(store.pg.db)
    policies = store.sqlite ? sqlitePolicyRepo(store.sqlite.db) : policyRepo(store.pg.db)
    for (const t of ['t1', 't2', 't3'])
      await store.sql(`INSERT INTO tenants (id, name, created_at) VALUES (?, ?, 0)`, t, t)
    const holder = domain('d1', 't1', 'example.com', { maxAgeHigh: 86400 })
    await repo.create(holder, [host('mta-sts.example.com', 'd1')], audit(0))
  })
  afterEach(() => store.close())
  const auditActions = async () =>
    (await store.sql<{ action: string }>(`SELECT action FROM audit_log ORDER BY id`)).map(
      (r) => r.action,
    )

  test('when another tenant proves control, then the holder is displaced and the claim is live with its hostnames', async () => {
    const c2 = claim('c2', 't2', 'example.com', { maxAgeHigh: 3600 })
    await repo.create(c2, [], audit(1))
    const names = [host('mta-sts.example.com', 'c2')]
    const result = await repo.verify(proven(c2, 10), names, displacement('tok'), audit(10))
    expect(result.displaced).toMatchObject({ id: 'd1', status: 'active' })
    expect(result.changed).toEqual(['d1'])
    expect(await repo.byName('example.com')).toMatchObject({
      id: 'c2',
      status: 'active',
      verifiedAt: at(10),
      claimExpiresAt: null,
      lastCheckError: null,
      maxAgeHigh: 86400,
    })
    expect(await repo.byId('d1')).toMatchObject({
      status: 'pending',
      verifiedAt: null,
      verificationToken: 'tok',
      claimExpiresAt: at(70),
      lastCheckAt: at(10),
      lastCheckError: 'control moved',
    })
    expect(await repo.hostnames('d1')).toEqual([])
    expect(await repo.hostnames('c2')).toEqual(names)
    expect(await auditActions()).toEqual(['test', 'test', 'displaced', 'test'])
  })

  test("when the new domain's name is another domain's logo host, then that host moves to it", async () => {
    await repo.create(
      domain('o1', 't3', 'other.org'),
      [host('mta-sts.sub.example.com', 'o1', 'logo')],
      audit(0),
    )
    const c1 = claim('c1', 't1', 'sub.example.com')
    await repo.create(c1, [], audit(1))
    const names = [host('mta-sts.sub.example.com', 'c1')]
    const result = await repo.verify(proven(c1, 5), names, displacement('x'), audit(5))
    expect(result).toEqual({ displaced: null, changed: ['o1'] })
    expect(await repo.hostnames('o1')).toEqual([])
    expect(await repo.hostnames('c1')).toEqual(names)
  })

  test('when the claim is gone before verify, then it is a CONFLICT and the holder keeps everything', async () => {
    const c2 = claim('c2', 't2', 'example.com')
    await repo.create(c2, [], audit(1))
    await repo.remove('c2', audit(2))
    const names = [host('mta-sts.example.com', 'c2')]
    await expect(
      repo.verify(proven(c2, 10), names, displacement('tok'), audit(10)),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await repo.byName('example.com')).toMatchObject({ id: 'd1', status: 'active' })
    expect(await repo.hostnames('d1')).toEqual([host('mta-sts.example.com', 'd1')])
    expect(await auditActions()).toEqual(['test', 'test', 'test'])
  })

  test('when two tenants verify the same name at once, then one after the other: the later displaces the earlier', async () => {
    const [c2, c3] = [claim('c2', 't2', 'example.com'), claim('c3', 't3', 'example.com')]
    await repo.create(c2, [], audit(1))
    await repo.create(c3, [], audit(1))
    // On PostgreSQL both must be under way before either writes: the test holds the holder's
    // hostname rows until two backends wait on a lock (SQLite runs one call at a time anyway).
    const release = await holdHostnames(store, 'd1')
    const running = Promise.all(
      [c2, c3].map((c) =>
        repo.verify(
          proven(c, 10),
          [host('mta-sts.example.com', c.id)],
          displacement(`by-${c.id}`),
          audit(10),
        ),
      ),
    )
    await release(2)
    const [r2, r3] = await running
    const winner = (await repo.byName('example.com'))!
    const loser = winner.id === 'c2' ? 'c3' : 'c2'
    const [won, lost] = winner.id === 'c2' ? [r2!, r3!] : [r3!, r2!]
    expect(lost.displaced?.id).toBe('d1')
    expect(won.displaced).toMatchObject({ id: loser, status: 'active' })
    expect(await repo.byId(loser)).toMatchObject({
      status: 'pending',
      verificationToken: `by-${winner.id}`,
    })
    expect(await repo.byId('d1')).toMatchObject({
      status: 'pending',
      verificationToken: `by-${loser}`,
    })
    expect(await repo.hostnames(winner.id)).toEqual([host('mta-sts.example.com', winner.id)])
    const live = (await repo.claims('example.com')).filter((d) => d.status !== 'pending')
    expect(live.map((d) => d.id)).toEqual([winner.id])
  })

  test('when one claim is verified twice at once, then one succeeds and the other is a CONFLICT', async () => {
    const c2 = claim('c2', 't2', 'example.com')
    await repo.create(c2, [], audit(1))
    const results = await Promise.allSettled(
      [1, 2].map(() =>
        repo.verify(
          proven(c2, 10),
          [host('mta-sts.example.com', 'c2')],
          displacement('t'),
          audit(10),
        ),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const [lost] = results.filter((r) => r.status === 'rejected')
    expect(lost?.reason).toMatchObject({ code: 'CONFLICT' })
    expect(await auditActions()).toEqual(['test', 'test', 'displaced', 'test'])
  })

  test('when a domain is retired and restored, then it serves none meanwhile and a new version after', async () => {
    await policies.put(policy('p1', 'enforce', 86400), audit(1))
    const d1 = (await repo.byId('d1'))!
    await repo.retire(
      { ...d1, retiredAt: at(5), removeAt: at(100) },
      policy('none1', 'none', 86400),
      audit(5),
    )
    expect(await repo.byId('d1')).toMatchObject({
      status: 'retiring',
      retiredAt: at(5),
      removeAt: at(100),
    })
    expect(await repo.retiredPolicy('d1')).toEqual({
      policyId: 'p1',
      text: policy('p1', 'enforce', 86400).text,
    })
    expect((await policies.get('d1'))?.mode).toBe('none')
    await repo.restore('d1', policy('p2', 'testing', 604800), audit(6))
    expect(await repo.byId('d1')).toMatchObject({
      status: 'active',
      retiredAt: null,
      removeAt: null,
      maxAgeHigh: 604800,
    })
    expect((await policies.get('d1'))?.policyId).toBe('p2')
    expect(await repo.retiredPolicy('d1')).toBeNull()
    await expect(repo.restore('d1', null, audit(7))).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  test('when a domain without a policy is retired and restored without one, then no policy is left', async () => {
    const d1 = (await repo.byId('d1'))!
    await repo.retire(
      { ...d1, retiredAt: at(5), removeAt: at(100) },
      policy('none1', 'none', 86400),
      audit(5),
    )
    expect(await repo.retiredPolicy('d1')).toBeNull()
    await repo.restore('d1', null, audit(6))
    expect(await policies.get('d1')).toBeNull()
    expect((await repo.byId('d1'))?.status).toBe('active')
  })

  test('when two restores run at once, then exactly one wins and the other is a CONFLICT', async () => {
    const d1 = (await repo.byId('d1'))!
    await repo.retire(
      { ...d1, retiredAt: at(5), removeAt: at(100) },
      policy('none1', 'none', 86400),
      audit(5),
    )
    const results = await Promise.allSettled([
      repo.restore('d1', policy('p2', 'testing', 3600), audit(6)),
      repo.restore('d1', policy('p3', 'enforce', 7200), audit(6)),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const [lost] = results.filter((r) => r.status === 'rejected')
    expect(lost?.reason).toMatchObject({ code: 'CONFLICT' })
  })
})
