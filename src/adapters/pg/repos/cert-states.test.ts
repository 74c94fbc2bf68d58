import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { CertState, CertStateRepo } from '../../../core/certs/types.js'
import { certStateRepo as sqliteCertStateRepo } from '../../db/repos/cert-states.js'
import { certStateRepo } from './cert-states.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

const state = (hostname: string, o: Partial<CertState> = {}): CertState => ({
  hostname,
  status: 'pending',
  issuerName: null,
  serial: null,
  issuer: null,
  notBefore: null,
  notAfter: null,
  renewAt: null,
  dueAt: T0,
  failures: 0,
  lastError: null,
  lastAttemptAt: null,
  dnsStatus: null,
  dnsDetail: null,
  updatedAt: T0,
  ...o,
})
const issued = (hostname: string, issuerName: string, o: Partial<CertState> = {}): CertState =>
  state(hostname, {
    status: 'ok',
    issuerName,
    serial: `serial-${hostname}`,
    issuer: 'CN=Test CA',
    notBefore: at(-60),
    notAfter: at(90 * 24 * 60),
    renewAt: at(60 * 24 * 60),
    dueAt: at(60 * 24 * 60),
    ...o,
  })

describe.each(STORE_KINDS)('CertStateRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: CertStateRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    await store.sql(
      "INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'alpha.example', 'active', 0)",
    )
    for (const name of ['mta-sts.alpha.example', 'logo.alpha.example']) {
      await store.sql(
        "INSERT INTO hostnames (name, domain_id, role) VALUES (?, 'd1', 'policy')",
        name,
      )
    }
    repo =
      store.kind === 'sqlite' ? sqliteCertStateRepo(store.sqlite.db) : certStateRepo(store.pg.db)
  })
  afterEach(() => store.close())

  const lease = async (hostname: string) =>
    (
      await store.sql<{ owner: string | null; until: number | null }>(
        'SELECT lease_owner AS owner, lease_until AS until FROM certificates WHERE hostname = ?',
        hostname,
      )
    )[0]
  const warm = () => Promise.all([1, 2, 3, 4].map(() => store.sql('SELECT 1')))

  it('when states are saved, then get and many give them back field for field; save overwrites', async () => {
    const a = issued('mta-sts.alpha.example', 'local', { dnsStatus: 'ok', dnsDetail: 'fine' })
    await repo.save(a)
    await repo.save(state('gone.example', { lastError: 'boom', failures: 3 }))
    expect(await repo.get('mta-sts.alpha.example')).toEqual(a)
    expect(await repo.get('missing.example')).toBeNull()
    const many = await repo.many(['gone.example', 'mta-sts.alpha.example', 'missing.example'])
    expect(many.map((s) => s.hostname).sort()).toEqual(['gone.example', 'mta-sts.alpha.example'])
    expect(await repo.many([])).toEqual([])
    await repo.save({ ...a, status: 'failed', failures: 1 })
    expect(await repo.get('mta-sts.alpha.example')).toMatchObject({ status: 'failed', failures: 1 })
  })

  it('when due is asked, then existing or extra hostnames due by now come most overdue first, up to the limit', async () => {
    await repo.save(state('mta-sts.alpha.example', { dueAt: at(-5) }))
    await repo.save(state('logo.alpha.example', { dueAt: at(-10) }))
    await repo.save(state('service.example', { dueAt: at(-7) }))
    await repo.save(state('orphan.example', { dueAt: at(-20) }))
    await repo.save(state('later.example', { dueAt: at(5) }))
    expect(await repo.due(T0, 10, [])).toEqual(['logo.alpha.example', 'mta-sts.alpha.example'])
    expect(await repo.due(T0, 10, ['service.example', 'later.example'])).toEqual([
      'logo.alpha.example',
      'service.example',
      'mta-sts.alpha.example',
    ])
    expect(await repo.due(T0, 1, [])).toEqual(['logo.alpha.example'])
  })

  it('when orphans are asked, then rows without a hostname come back except those kept', async () => {
    await repo.save(state('mta-sts.alpha.example'))
    await repo.save(state('orphan-1.example'))
    await repo.save(state('orphan-2.example'))
    expect((await repo.orphans(10, [])).sort()).toEqual(['orphan-1.example', 'orphan-2.example'])
    expect(await repo.orphans(10, ['orphan-1.example'])).toEqual(['orphan-2.example'])
    expect(await repo.orphans(1, [])).toHaveLength(1)
    await repo.remove('orphan-2.example')
    expect(await repo.get('orphan-2.example')).toBeNull()
    expect(await repo.orphans(10, ['orphan-1.example'])).toEqual([])
  })

  it('when reconciled, then hostnames and extras without a row get a pending one, counted once', async () => {
    await repo.save(issued('mta-sts.alpha.example', 'local'))
    expect(await repo.reconcile(at(1), ['service.example', 'service.example'])).toBe(2)
    expect(await repo.get('logo.alpha.example')).toEqual(
      state('logo.alpha.example', { dueAt: at(1), updatedAt: at(1) }),
    )
    expect(await repo.get('service.example')).toMatchObject({ status: 'pending', dueAt: at(1) })
    expect(await repo.get('mta-sts.alpha.example')).toMatchObject({ status: 'ok' })
    expect(await repo.reconcile(at(2), ['service.example'])).toBe(0)
  })

  it('when the issuer changes, then certificates of other issuers not yet due become due now', async () => {
    await repo.save(issued('a.example', 'old-ca'))
    await repo.save(issued('b.example', 'new-ca'))
    await repo.save(issued('c.example', 'old-ca', { dueAt: at(-1) }))
    await repo.save(state('d.example', { dueAt: at(10) }))
    expect(await repo.dueOnIssuerChange('new-ca', T0)).toBe(1)
    expect((await repo.get('a.example'))?.dueAt).toEqual(T0)
    expect((await repo.get('b.example'))?.dueAt).toEqual(at(60 * 24 * 60))
    expect((await repo.get('c.example'))?.dueAt).toEqual(at(-1))
    expect((await repo.get('d.example'))?.dueAt).toEqual(at(10))
  })

  it('when a lease is taken, then others are refused until it ends or is released; its owner may renew it', async () => {
    const host = 'new.example'
    expect(await repo.acquire(host, 'one', T0, at(5))).toBe(true)
    expect(await repo.get(host)).toEqual(state(host))
    expect(await repo.acquire(host, 'two', at(1), at(6))).toBe(false)
    expect(await repo.acquire(host, 'one', at(1), at(7))).toBe(true)
    expect(await lease(host)).toEqual({ owner: 'one', until: at(7).getTime() })
    await repo.release(host, 'two')
    expect(await repo.acquire(host, 'two', at(2), at(8))).toBe(false)
    await repo.release(host, 'one')
    expect(await lease(host)).toEqual({ owner: null, until: null })
    expect(await repo.acquire(host, 'two', at(2), at(8))).toBe(true)
    // At its end (until <= now) the lease is free to take.
    expect(await repo.acquire(host, 'three', at(8), at(12))).toBe(true)
    expect(await lease(host)).toEqual({ owner: 'three', until: at(12).getTime() })
  })

  it('when a state is saved under a lease, then the lease stays', async () => {
    await repo.acquire('mta-sts.alpha.example', 'one', T0, at(5))
    await repo.save(issued('mta-sts.alpha.example', 'local'))
    expect(await lease('mta-sts.alpha.example')).toEqual({ owner: 'one', until: at(5).getTime() })
    expect(await repo.acquire('mta-sts.alpha.example', 'two', at(1), at(6))).toBe(false)
  })

  it('when two instances race for one hostname, then exactly one gets the lease', async () => {
    await warm()
    await repo.save(state('existing.example'))
    await repo.save(state('expired.example'))
    await repo.acquire('expired.example', 'old', at(-10), at(-1))
    for (const host of [
      'fresh-1.example',
      'fresh-2.example',
      'existing.example',
      'expired.example',
    ]) {
      const won = await Promise.all([
        repo.acquire(host, 'one', T0, at(5)),
        repo.acquire(host, 'two', T0, at(5)),
      ])
      expect(won.filter(Boolean)).toHaveLength(1)
      expect((await lease(host))?.owner).toBe(won[0] ? 'one' : 'two')
    }
  })

  it('when issued and list are asked, then they show every row with a serial, and every row once', async () => {
    await repo.save(issued('mta-sts.alpha.example', 'local'))
    await repo.save(state('pending.example'))
    await repo.save(state('failed.example', { status: 'failed' }))
    await repo.acquire('mta-sts.alpha.example', 'one', T0, at(5))
    expect(await repo.issued()).toEqual([
      { hostname: 'mta-sts.alpha.example', serial: 'serial-mta-sts.alpha.example' },
    ])
    const rows = await repo.list()
    expect(rows.sort((a, b) => (a.hostname < b.hostname ? -1 : 1))).toEqual([
      { hostname: 'failed.example', status: 'failed', notAfter: null },
      { hostname: 'mta-sts.alpha.example', status: 'ok', notAfter: at(90 * 24 * 60) },
      { hostname: 'pending.example', status: 'pending', notAfter: null },
    ])
  })
})
