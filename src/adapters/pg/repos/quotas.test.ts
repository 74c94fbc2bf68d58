import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { AuditEntry, QuotaRepo } from '../../../core/ports.js'
import { quotaRepo as sqliteQuotaRepo } from '../../db/repos/quotas.js'
import { quotaRepo } from './quotas.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)
const audit: AuditEntry = {
  at: T0,
  tenantId: 't1',
  actorTokenId: null,
  action: 'tenant.quotas',
  subject: 't1',
}

describe.each(STORE_KINDS)('QuotaRepo (%s store)', (kind) => {
  let store: TestStore
  let quotas: QuotaRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0)")
    await store.sql("INSERT INTO tenants (id, name, created_at) VALUES ('t2', 'bravo', 0)")
    quotas = store.kind === 'sqlite' ? sqliteQuotaRepo(store.sqlite.db) : quotaRepo(store.pg.db)
  })
  afterEach(() => store.close())

  const domain = (id: string, tenant: string, name: string, status: string) =>
    store.sql(
      'INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES (?, ?, ?, ?, 0)',
      id,
      tenant,
      name,
      status,
    )
  const logo = async (domainId: string, sha256: string, size: number) => {
    if ((await store.sql('SELECT 1 FROM logos WHERE sha256 = ?', sha256)).length === 0) {
      await store.sql(
        'INSERT INTO logos (sha256, svg, size, created_at) VALUES (?, ?, ?, 0)',
        sha256,
        Buffer.alloc(size),
        size,
      )
    }
    await store.sql(
      'INSERT INTO domain_logos (domain_id, sha256, created_at) VALUES (?, ?, 0)',
      domainId,
      sha256,
    )
  }
  const selector = (domainId: string, name: string, sha256: string) =>
    store.sql(
      'INSERT INTO bimi_assertions (domain_id, selector, logo_sha256, updated_at) VALUES (?, ?, ?, 0)',
      domainId,
      name,
      sha256,
    )
  const report = (id: string, domainId: string, receivedAt: Date, storedBytes: number) =>
    store.sql(
      `INSERT INTO tls_reports (id, domain_id, organization, report_id, start_at, end_at, day,
        successful, failed, parsed, warnings, raw, source, received_at, stored_bytes)
       VALUES (?, ?, 'org', ?, 0, 0, '2026-12-01', 1, 0, '{}', '[]', ?, 'https', ?, ?)`,
      id,
      domainId,
      id,
      Buffer.from([0x1f, 0x8b]),
      receivedAt.getTime(),
      storedBytes,
    )

  it('when overrides are set, then they come back as stored and the change is audited', async () => {
    expect(await quotas.overrides('t1')).toBeNull()
    expect(await quotas.overrides('missing')).toBeNull()
    await quotas.setOverrides('t1', { domains: 50, logoBytes: 1_000_000 }, audit)
    expect(await quotas.overrides('t1')).toEqual({ domains: 50, logoBytes: 1_000_000 })
    expect(await quotas.overrides('t2')).toBeNull()
    expect(await store.sql('SELECT action FROM audit_log')).toEqual([{ action: 'tenant.quotas' }])
  })

  it('when domains are counted, then every status of the tenant counts and no other tenant', async () => {
    expect(await quotas.domainCount('t1')).toBe(0)
    await domain('d1', 't1', 'a.example', 'active')
    await domain('d2', 't1', 'b.example', 'pending')
    await domain('d3', 't1', 'c.example', 'retiring')
    await domain('d4', 't2', 'd.example', 'active')
    expect(await quotas.domainCount('t1')).toBe(3)
  })

  it('when logo usage is asked, then selectors, kept logos and their bytes are summed per domain', async () => {
    await domain('d1', 't1', 'a.example', 'active')
    await domain('d2', 't1', 'b.example', 'active')
    expect(await quotas.logoUsage('d1')).toEqual({ selectors: 0, logos: 0, logoBytes: 0 })
    await logo('d1', 'h1', 1000)
    await logo('d1', 'h2', 234)
    await logo('d2', 'h1', 1000)
    await selector('d1', 'default', 'h2')
    expect(await quotas.logoUsage('d1')).toEqual({ selectors: 1, logos: 2, logoBytes: 1234 })
    expect(await quotas.logoUsage('d2')).toEqual({ selectors: 0, logos: 1, logoBytes: 1000 })
    expect(await quotas.keepsLogo('d1', 'h2')).toBe(true)
    expect(await quotas.keepsLogo('d2', 'h2')).toBe(false)
    expect(await quotas.hasSelector('d1', 'default')).toBe(true)
    expect(await quotas.hasSelector('d2', 'default')).toBe(false)
  })

  it('when report usage is asked, then reports received since the time count with their bytes', async () => {
    await domain('d1', 't1', 'a.example', 'active')
    await domain('d2', 't1', 'b.example', 'active')
    expect(await quotas.reportUsage('d1', T0)).toEqual({ reports: 0, bytes: 0 })
    await report('r-old', 'd1', at(-1), 100)
    await report('r-at', 'd1', T0, 200)
    await report('r-new', 'd1', at(5), 300)
    await report('r-other', 'd2', at(5), 400)
    expect(await quotas.reportUsage('d1', T0)).toEqual({ reports: 2, bytes: 500 })
  })
})
