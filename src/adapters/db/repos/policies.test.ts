import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { PolicyRepo, StoredPolicy } from '../../../core/ports.js'
import { policyRepo as pgPolicyRepo } from '../../pg/repos/policies.js'
import { policyRepo } from './policies.js'

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

  it('when policies of several max_ages are put, then maxAgeHigh keeps the longest non-none one', async () => {
    await policies.put(policy('p1', 'testing', 3600), audit(new Date(0)))
    expect(await high()).toBe(3600)
    await policies.put(policy('p2', 'enforce', 86400), audit(new Date(0)))
    await policies.put(policy('p3', 'enforce', 600), audit(new Date(0)))
    await policies.put(policy('p4', 'none', 999_999), audit(new Date(0)))
    expect(await high()).toBe(86400)
  })
})
