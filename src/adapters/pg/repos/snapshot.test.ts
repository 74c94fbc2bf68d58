import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { openTestStore, STORE_KINDS, type TestStore } from '../../../../test/helpers/repo-stores.js'
import type { ServedHost, SnapshotSource } from '../../../core/ports.js'
import { snapshotSource as sqliteSnapshotSource } from '../../db/repos/snapshot.js'
import { snapshotSource } from './snapshot.js'

const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx.one.example\r\nmax_age: 86400\r\n'

/** What both stores must serve for the rows beforeEach writes (and the extra service host). */
const SERVED: ServedHost[] = [
  {
    hostname: 'logo.one.example',
    role: 'logo',
    domain: 'one.example',
    domainId: 'd1',
    text: null,
    revision: null,
    certSerial: null,
  },
  {
    hostname: 'mta-sts.one.example',
    role: 'policy',
    domain: 'one.example',
    domainId: 'd1',
    text: POLICY,
    revision: 0,
    certSerial: 'aa01',
  },
  {
    hostname: 'mta-sts.two.example',
    role: 'policy',
    domain: 'two.example',
    domainId: 'd2',
    text: null,
    revision: null,
    certSerial: null,
  },
  {
    hostname: 'policyhost.example',
    role: null,
    domain: null,
    domainId: null,
    text: null,
    revision: null,
    certSerial: 'ff02',
  },
]

describe.each(STORE_KINDS)('%s store: SnapshotSource', (kind) => {
  let store: TestStore
  const source = (pageSize?: number): SnapshotSource =>
    store.sqlite ? sqliteSnapshotSource(store.sqlite) : snapshotSource(store.pg, { pageSize })
  beforeEach(async () => {
    store = await openTestStore(kind)
    const sql = store.sql
    await sql(`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0)`)
    const domain = `INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES (?, 't1', ?, ?, 0)`
    await sql(domain, 'd1', 'one.example', 'active')
    await sql(domain, 'd2', 'two.example', 'retiring')
    await sql(domain, 'c3', 'claim.example', 'pending')
    const host = `INSERT INTO hostnames (name, domain_id, role) VALUES (?, ?, ?)`
    await sql(host, 'mta-sts.one.example', 'd1', 'policy')
    await sql(host, 'logo.one.example', 'd1', 'logo')
    await sql(host, 'mta-sts.two.example', 'd2', 'policy')
    // A pending claim is never served, even with a hostname row.
    await sql(host, 'mta-sts.claim.example', 'c3', 'policy')
    await sql(
      `INSERT INTO mta_sts_policies (domain_id, mode, max_age, mx, policy_id, text, updated_at)
       VALUES ('d1', 'enforce', 86400, '["mx.one.example"]', 'p1', ?, 0)`,
      POLICY,
    )
    const cert = `INSERT INTO certificates (hostname, status, serial, due_at, updated_at) VALUES (?, 'ok', ?, 0, 0)`
    await sql(cert, 'mta-sts.one.example', 'aa01')
    await sql(cert, 'policyhost.example', 'ff02')
  })
  afterEach(() => store.close())

  const byName = (a: ServedHost, b: ServedHost) => (a.hostname < b.hostname ? -1 : 1)

  // Page sizes around the three domain hosts: 1 and 2 split them, 3 ends exactly on a page.
  test.each([1, 2, 3, 100])(
    'when the hosts are read (page size %i on PostgreSQL), then every served host comes once, the extra name last',
    async (pageSize) => {
      const hosts = [...(await source(pageSize).hosts(['policyhost.example']))]
      expect(hosts.at(-1)?.hostname).toBe('policyhost.example')
      expect(hosts.sort(byName)).toEqual(SERVED)
    },
  )

  test('when no extra names are asked for, then only the domain hosts come', async () => {
    const hosts = [...(await source(2).hosts([]))]
    expect(hosts.sort(byName)).toEqual(SERVED.filter((h) => h.domainId !== null))
  })

  test('when one domain is asked for, then its hosts come; none for a claim or a removed domain', async () => {
    const src = source()
    expect((await src.hostsOfDomain('d1')).sort(byName)).toEqual(SERVED.slice(0, 2))
    expect(await src.hostsOfDomain('c3')).toEqual([])
    await store.sql(`DELETE FROM domains WHERE id = 'd2'`)
    expect(await src.hostsOfDomain('d2')).toEqual([])
  })
})
