import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type {
  DomainOverviewQuery,
  DomainOverviewRepo,
  DomainOverviewRow,
} from '../../../core/domain-overview.js'
import { domainOverviewRepo as sqliteOverviewRepo } from '../../db/repos/domain-overview.js'
import { domainOverviewRepo as pgOverviewRepo } from './domain-overview.js'

const NOT_AFTER = Date.parse('2027-03-01T00:00:00Z')

/** [id, tenant, name, status, dns mode]: every name the order and the search must agree on. */
const DOMAINS: [string, string, string, string, string][] = [
  ['d-a', 't1', 'a.example', 'active', 'self'],
  // Same name in another tenant (a pending claim): (name, id) order puts c-a first.
  ['c-a', 't2', 'a.example', 'pending', 'self'],
  ['d-b', 't1', 'B.example', 'pending', 'delegated'],
  ['d-us', 't1', 'a_b.example', 'active', 'self'],
  ['d-ax', 't1', 'axb.example', 'active', 'self'],
  ['d-pc', 't1', '100%.example', 'active', 'self'],
  ['d-bs', 't1', 'back\\slash.example', 'active', 'self'],
  ['d-up', 't1', 'ÉCOLE-Shop.example', 'retiring', 'self'],
  ['d-lo', 't1', 'école.example', 'active', 'self'],
]

/** Every (name, id) in byte order, as SQLite sorts and COLLATE "C" does. */
const ORDER = [
  '100%.example',
  'B.example',
  'a.example/c-a',
  'a.example/d-a',
  'a_b.example',
  'axb.example',
  'back\\slash.example',
  'ÉCOLE-Shop.example',
  'école.example',
]

const query = (o: Partial<DomainOverviewQuery> = {}): DomainOverviewQuery => ({
  tenantId: null,
  search: null,
  after: null,
  limit: 100,
  since: '2026-12-01',
  ...o,
})

const label = (r: DomainOverviewRow) => (r.name === 'a.example' ? `${r.name}/${r.id}` : r.name)

describe.each(STORE_KINDS)('DomainOverviewRepo (%s store)', (kind) => {
  let store: TestStore
  let repo: DomainOverviewRepo
  beforeEach(async () => {
    store = await openTestStore(kind)
    const sql = store.sql
    await sql(
      "INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'alpha', 0), ('t2', 'beta', 0)",
    )
    for (const [id, tenant, name, status, dnsMode] of DOMAINS) {
      await sql(
        'INSERT INTO domains (id, tenant_id, name, status, created_at, dns_mode) VALUES (?, ?, ?, ?, 0, ?)',
        id,
        tenant,
        name,
        status,
        dnsMode,
      )
    }
    // d-a has one of everything; the policy host's certificate counts, the logo host's not.
    await sql(
      'INSERT INTO mta_sts_policies (domain_id, mode, max_age, mx, policy_id, text, updated_at) ' +
        "VALUES ('d-a', 'enforce', 86400, '[\"mx.example\"]', 'p1', 'x', 0)",
    )
    await sql(
      "INSERT INTO hostnames (name, domain_id, role) VALUES ('mta-sts.a.example', 'd-a', 'policy'), " +
        "('logo.a.example', 'd-a', 'logo')",
    )
    await sql(
      'INSERT INTO certificates (hostname, status, not_after, due_at, updated_at) ' +
        "VALUES ('mta-sts.a.example', 'ok', ?, 0, 0), ('logo.a.example', 'failed', NULL, 0, 0)",
      NOT_AFTER,
    )
    for (const [key, severity] of [
      ['k1', 'error'],
      ['k2', 'error'],
      ['k3', 'warning'],
    ]) {
      await sql(
        'INSERT INTO domain_findings (domain_id, key, kind, severity, message, opened_at) ' +
          "VALUES ('d-a', ?, 'dns', ?, 'm', 0)",
        key,
        severity,
      )
    }
    await sql(
      "INSERT INTO check_runs (domain_id, kind, ran_at) VALUES ('d-a', 'dns', 100), ('d-a', 'tls', 200)",
    )
    await sql(
      "INSERT INTO tlsrpt (domain_id, rua, updated_at) VALUES ('d-a', '[\"mailto:r@a.example\"]', 0)",
    )
    // The report of the day before `since` is left out of the sums.
    for (const [id, day, ok, failed] of [
      ['r0', '2026-11-30', 5, 1],
      ['r1', '2026-12-01', 10, 2],
      ['r2', '2026-12-02', 3, 4],
    ] as const) {
      await sql(
        'INSERT INTO tls_reports (id, domain_id, organization, report_id, start_at, end_at, day, ' +
          'successful, failed, parsed, warnings, raw, source, received_at) ' +
          "VALUES (?, 'd-a', 'org', ?, 0, 0, ?, ?, ?, '{}', '[]', ?, 'https', 0)",
        id,
        id,
        day,
        ok,
        failed,
        Buffer.from('{}'),
      )
    }
    await sql(
      "INSERT INTO logos (sha256, svg, size, created_at) VALUES ('h1', ?, 5, 0)",
      Buffer.from('<svg/'),
    )
    await sql(
      'INSERT INTO bimi_assertions (domain_id, selector, logo_sha256, updated_at) ' +
        "VALUES ('d-a', 'default', 'h1', 0), ('d-a', 'brand', 'h1', 0)",
    )
    repo = store.sqlite ? sqliteOverviewRepo(store.sqlite.sqlite) : pgOverviewRepo(store.pg.db)
  })
  afterEach(() => store.close())

  it('when every tenant is listed, then rows come in (name, id) byte order, and keyset pages of 2 give the same rows', async () => {
    const all = await repo.page(query())
    expect(all.map(label)).toEqual(ORDER)

    const paged: DomainOverviewRow[] = []
    for (let after: DomainOverviewQuery['after'] = null; ;) {
      const page = await repo.page(query({ after, limit: 2 }))
      paged.push(...page)
      if (page.length < 2) break
      after = { name: page[1]!.name, id: page[1]!.id }
    }
    expect(paged).toEqual(all)
  })

  it('when one tenant is listed, then only its domains come', async () => {
    const rows = await repo.page(query({ tenantId: 't2' }))
    expect(rows.map((r) => [r.id, r.tenantName])).toEqual([['c-a', 'beta']])
    expect((await repo.page(query({ tenantId: 't1' }))).map(label)).toEqual(
      ORDER.filter((n) => n !== 'a.example/c-a'),
    )
  })

  it('when a domain has a policy, certificate, findings, runs, reports and BIMI, then its row counts them; a bare one gets zeros and nulls', async () => {
    const rows = await repo.page(query({ tenantId: 't1', search: 'a.example' }))
    expect(rows).toEqual([
      {
        id: 'd-a',
        name: 'a.example',
        tenantId: 't1',
        tenantName: 'alpha',
        status: 'active',
        dnsMode: 'self',
        policyMode: 'enforce',
        certificate: { status: 'ok', notAfter: new Date(NOT_AFTER) },
        errors: 2,
        warnings: 1,
        checkedAt: new Date(200),
        tlsRpt: true,
        successfulSessions: 13,
        failedSessions: 6,
        bimiSelectors: 2,
      },
    ])
    expect(
      await repo.page(query({ search: 'B.EXAMPLE', after: { name: 'A', id: '' }, limit: 1 })),
    ).toEqual([
      {
        id: 'd-b',
        name: 'B.example',
        tenantId: 't1',
        tenantName: 'alpha',
        status: 'pending',
        dnsMode: 'delegated',
        policyMode: null,
        certificate: null,
        errors: 0,
        warnings: 0,
        checkedAt: null,
        tlsRpt: false,
        successfulSessions: 0,
        failedSessions: 0,
        bimiSelectors: 0,
      },
    ])
  })

  // SQLite's LIKE folds ASCII letters only; the search text is lower-cased in full first.
  it.each([
    ['A.EX', ['a.example/c-a', 'a.example/d-a']],
    ['_', ['a_b.example']],
    ['%', ['100%.example']],
    ['a%b', []],
    ['\\', ['back\\slash.example']],
    ['SHOP', ['ÉCOLE-Shop.example']],
    ['école', ['école.example']],
    ['ÉCOLE', ['école.example']],
  ])(
    'when the search is %j, then the names containing it literally come: %j',
    async (search, names) => {
      expect((await repo.page(query({ search }))).map(label)).toEqual(names)
    },
  )

  it('when a search is paged, then the keyset continues within the matches', async () => {
    const first = await repo.page(query({ search: 'B', limit: 2 }))
    expect(first.map(label)).toEqual(['B.example', 'a_b.example'])
    const after = { name: first[1]!.name, id: first[1]!.id }
    const next = await repo.page(query({ search: 'B', limit: 2, after }))
    expect(next.map(label)).toEqual(['axb.example', 'back\\slash.example'])
    const last = { name: next[1]!.name, id: next[1]!.id }
    expect(await repo.page(query({ search: 'B', limit: 2, after: last }))).toEqual([])
  })
})
