import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { PolicyRepo, StoredPolicy } from '../../../core/ports.js'
import { putPolicy as pgPutPolicy, policyRepo as pgPolicyRepo } from '../../pg/repos/policies.js'
import { policyRepo, putPolicy } from './policies.js'

/** jsonb arrives parsed on PostgreSQL, as text on SQLite. */
const jsonOf = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v)

const audit = (at: Date) => ({
  at,
  tenantId: null,
  actorTokenId: null,
  action: 'test',
  subject: 'example.com',
})

describe.each(STORE_KINDS)('%s store: PolicyRepo.versions', (kind) => {
  let store: TestStore
  beforeEach(async () => {
    store = await openTestStore(kind)
  })
  afterEach(() => store.close())
  const repo = (): PolicyRepo =>
    store.sqlite ? policyRepo(store.sqlite.db) : pgPolicyRepo(store.pg.db)

  it('when the same text was published again under a new id, then versions list the newest first', async () => {
    await store.sql(`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)`)
    await store.sql(
      `INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'example.com', 'active', 0)`,
    )
    const policies = repo()
    const text = 'version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86400\r\n'
    const put = (policyId: string, body: string, day: number) => {
      const at = new Date(Date.UTC(2026, 11, day))
      const policy: StoredPolicy = {
        domainId: 'd1',
        mode: 'testing',
        mx: ['mx.example.com'],
        maxAge: 86400,
        policyId,
        text: body,
        updatedAt: at,
      }
      return policies.put(policy, audit(at))
    }
    await put('first', text, 1)
    await put('other', text.replace('testing', 'enforce'), 2)
    await put('again', text, 3)
    expect((await policies.versions('d1')).map((v) => v.policyId)).toEqual([
      'again',
      'other',
      'first',
    ])
  })
})

describe.each(STORE_KINDS)('%s store: PolicyRepo get and put', (kind) => {
  let store: TestStore
  let policies: PolicyRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    policies = store.sqlite ? policyRepo(store.sqlite.db) : pgPolicyRepo(store.pg.db)
    await store.sql(`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)`)
    await store.sql(
      `INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'example.com', 'active', 0)`,
    )
  })
  afterEach(() => store.close())
  const policy = (policyId: string, mode: StoredPolicy['mode'], maxAge: number): StoredPolicy => ({
    domainId: 'd1',
    mode,
    mx: ['mx1.example.com', 'mx2.example.com'],
    maxAge,
    policyId,
    text: `version: STSv1\r\nmode: ${mode}\r\nmax_age: ${maxAge}\r\n`,
    updatedAt: new Date(Date.UTC(2026, 11, 1)),
  })
  const high = async () =>
    (await store.sql<{ h: number | null }>(`SELECT max_age_high AS h FROM domains`))[0]!.h

  it('when a policy is put, then get returns it exactly and the audit row is written', async () => {
    expect(await policies.get('d1')).toBeNull()
    await policies.put(policy('p1', 'enforce', 86400), audit(new Date(0)))
    expect(await policies.get('d1')).toEqual(policy('p1', 'enforce', 86400))
    await policies.put(policy('p2', 'testing', 3600), audit(new Date(0)))
    expect(await policies.get('d1')).toEqual(policy('p2', 'testing', 3600))
    expect(await store.sql(`SELECT action FROM audit_log`)).toHaveLength(2)
  })

  it('when the row is written again and again (put, retire, restore), then each write gets the next revision', async () => {
    expect(await policies.put(policy('p1', 'enforce', 86400), audit(new Date(0)))).toBe(1)
    expect(await policies.put(policy('p2', 'testing', 3600), audit(new Date(0)))).toBe(2)
    // Retire and restore write the row through putPolicy in their own transactions.
    const none = policy('p3', 'none', 86400)
    const viaDomains = store.sqlite
      ? store.sqlite.db.transaction((tx) => putPolicy(tx, none))
      : await store.pg.db.transaction((tx) => pgPutPolicy(tx, none))
    expect(viaDomains).toBe(3)
    expect(await policies.put(policy('p4', 'enforce', 86400), audit(new Date(0)))).toBe(4)
    const rows = await store.sql<{ r: number | string }>(
      `SELECT revision AS r FROM mta_sts_policies`,
    )
    expect(rows.map((r) => Number(r.r))).toEqual([4])
    // get() returns the policy as stored, without the revision.
    expect(await policies.get('d1')).toEqual(policy('p4', 'enforce', 86400))
  })

  it('when the stored text is put again (another id, a later time), then put resolves null and writes nothing', async () => {
    expect(await policies.put(policy('p1', 'enforce', 86400), audit(new Date(0)))).toBe(1)
    const again = { ...policy('p1-again', 'enforce', 86400), updatedAt: new Date(9_000_000) }

    expect(await policies.put(again, audit(new Date(1)))).toBeNull()

    expect(await policies.get('d1')).toEqual(policy('p1', 'enforce', 86400))
    const revision = await store.sql<{ r: number | string }>(
      `SELECT revision AS r FROM mta_sts_policies`,
    )
    expect(revision.map((r) => Number(r.r))).toEqual([1])
    expect(await store.sql(`SELECT policy_id FROM policy_versions`)).toEqual([{ policy_id: 'p1' }])
    expect(await store.sql(`SELECT action FROM audit_log`)).toHaveLength(1)
  })

  it('when the same new text is put twice at once, then exactly one of them writes', async () => {
    await policies.put(policy('p1', 'enforce', 86400), audit(new Date(0)))
    const next = policy('p2', 'testing', 3600)

    const results = await Promise.all([
      policies.put(next, audit(new Date(1))),
      policies.put(next, audit(new Date(2))),
    ])

    expect(results.sort()).toEqual([2, null])
    expect(await store.sql(`SELECT action FROM audit_log`)).toHaveLength(2)
    expect(await policies.get('d1')).toEqual(next)
  })

  it('when a put is audited with details, then the audit row holds every field', async () => {
    const entry = {
      ...audit(new Date(5000)),
      tenantId: 't1',
      actorTokenId: 'tok',
      detail: { policyId: 'p1' },
    }

    await policies.put(policy('p1', 'enforce', 86400), entry)

    const rows = await store.sql<Record<string, unknown>>(
      `SELECT at, tenant_id, actor_token_id, action, subject, detail FROM audit_log`,
    )
    expect(rows.map((r) => ({ ...r, at: Number(r.at), detail: jsonOf(r.detail) }))).toEqual([
      {
        at: 5000,
        tenant_id: 't1',
        actor_token_id: 'tok',
        action: 'test',
        subject: 'example.com',
        detail: { policyId: 'p1' },
      },
    ])
  })

  it('when the domain is gone, then the put fails and writes nothing: no version, no audit row', async () => {
    const orphan = { ...policy('p1', 'enforce', 86400), domainId: 'gone' }

    await expect(policies.put(orphan, audit(new Date(0)))).rejects.toThrow()

    expect(await store.sql(`SELECT policy_id FROM policy_versions`)).toEqual([])
    expect(await store.sql(`SELECT action FROM audit_log`)).toEqual([])
  })

  it.runIf(kind === 'sqlite')(
    'when SQLite is asked to announce a write, then it refuses and writes nothing',
    async () => {
      const announcement = { head: '{}', tail: '' }

      await expect(
        policies.put(policy('p1', 'enforce', 86400), audit(new Date(0)), announcement),
      ).rejects.toThrow(/cannot announce/)

      expect(await policies.get('d1')).toBeNull()
    },
  )

  it('when policies of several max_ages are put, then maxAgeHigh keeps the longest non-none one', async () => {
    await policies.put(policy('p1', 'testing', 3600), audit(new Date(0)))
    expect(await high()).toBe(3600)
    await policies.put(policy('p2', 'enforce', 86400), audit(new Date(0)))
    await policies.put(policy('p3', 'enforce', 600), audit(new Date(0)))
    await policies.put(policy('p4', 'none', 999_999), audit(new Date(0)))
    expect(await high()).toBe(86400)
  })
})
