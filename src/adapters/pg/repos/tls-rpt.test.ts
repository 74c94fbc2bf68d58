import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { TlsRptRepo } from '../../../core/ports.js'
import { tlsRptRepo as sqliteTlsRptRepo } from '../../db/repos/tls-rpt.js'
import { tlsRptRepo } from './tls-rpt.js'

const audit = { at: new Date(0), tenantId: null, actorTokenId: null, action: 'a', subject: 's' }

describe.each(STORE_KINDS)('%s store: TlsRptRepo', (kind) => {
  let store: TestStore
  let repo: TlsRptRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    repo = store.sqlite ? sqliteTlsRptRepo(store.sqlite.db) : tlsRptRepo(store.pg.db)
    await store.sql(`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)`)
    await store.sql(
      `INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'example.com', 'active', 0)`,
    )
  })
  afterEach(() => store.close())

  test('when settings are put, replaced and removed, then get follows and each step is audited', async () => {
    expect(await repo.get('d1')).toBeNull()
    const first = { domainId: 'd1', rua: ['mailto:a@example.com'], updatedAt: new Date(1000) }
    await repo.put(first, audit)
    expect(await repo.get('d1')).toEqual(first)
    const second = {
      domainId: 'd1',
      rua: ['mailto:b@example.com', 'https://r.example.com/x'],
      updatedAt: new Date(2000),
    }
    await repo.put(second, audit)
    expect(await repo.get('d1')).toEqual(second)
    await repo.remove('d1', audit)
    expect(await repo.get('d1')).toBeNull()
    expect(await store.sql(`SELECT action FROM audit_log`)).toHaveLength(3)
  })

  test('when two puts for one domain run at once, then both succeed and one of them is kept', async () => {
    const put = (n: number) =>
      repo.put({ domainId: 'd1', rua: [`mailto:${n}@example.com`], updatedAt: new Date(n) }, audit)
    await Promise.all([put(1), put(2)])
    expect([1, 2].map((n) => `mailto:${n}@example.com`)).toContain((await repo.get('d1'))?.rua[0])
  })
})
