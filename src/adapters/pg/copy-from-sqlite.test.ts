/**
 * Issue 15 `migrate-store`: a SQLite file filled through the repositories, copied into a fresh
 * PostgreSQL database of the run's server, and read back through the PostgreSQL repositories.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { asc, is } from 'drizzle-orm'
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { freshPgDatabase } from '../../../test/helpers/pg-databases.js'
import { SKIP_POSTGRES, SKIP_POSTGRES_NOTE } from '../../../test/helpers/postgres.js'
import type { AuditEntry, Repos } from '../../core/ports.js'
import { migrateStore } from '../../runtime/migrate-store.js'
import { SecretsKey } from '../crypto/sealed.js'
import { migrateDatabase, openDatabase } from '../db/database.js'
import { sqliteRepos } from '../db/repos/index.js'
import * as sqliteSchema from '../db/schema.js'
import { copyFromSqlite } from './copy-from-sqlite.js'
import { copyPlan } from './copy-plan.js'
import { openPostgres, type OpenPg } from './database.js'
import { pgRepos } from './repos/index.js'
import * as pgSchema from './schema.js'

const T0 = new Date('2026-12-01T10:00:00Z')
const at = (s: number) => new Date(T0.getTime() + s * 1000)
const audit = (action: string, s = 0): AuditEntry => ({
  at: at(s),
  tenantId: 't1',
  actorTokenId: 'k1',
  action,
  subject: 'alpha.example',
  detail: { list: ['a', 'b'], n: 1 },
})
const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx.alpha.example\r\nmax_age: 86400\r\n'
/** A logo starting with a UTF-8 BOM: served byte for byte, BOM and all. */
const LOGO = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<svg/>\n')])
const RAW = Buffer.from([0x1f, 0x8b, 0x08, 0, 0xff, 0x00, 0x7f])

async function fill(repos: Repos): Promise<void> {
  const first = { id: 'k1', tenantId: 't1', label: 'first', sha256: 'a'.repeat(64), createdAt: T0 }
  await repos.tenants.create({ id: 't1', name: 'alpha', createdAt: T0 }, first, audit('t'))
  await repos.quotas.setOverrides('t1', { domains: 7 }, audit('q', 1))
  for (const [id, name] of [
    ['d1', 'alpha.example'],
    ['d2', 'beta.example'],
  ] as const) {
    await repos.domains.create(
      {
        id,
        tenantId: 't1',
        name,
        status: 'active',
        createdAt: at(2),
        retiredAt: null,
        removeAt: null,
        maxAgeHigh: null,
        verificationToken: null,
        verifiedAt: at(2),
        claimExpiresAt: null,
        lastCheckAt: null,
        lastCheckError: null,
        dnsMode: 'self',
        dnsLabel: null,
      },
      [{ name: `mta-sts.${name}`, domainId: id, role: 'policy' }],
      audit('domain.add', 2),
    )
  }
  const policy = { domainId: 'd1', mode: 'enforce' as const, mx: ['mx.alpha.example'] }
  await repos.policies.put(
    { ...policy, maxAge: 86400, policyId: 'p1', text: POLICY, updatedAt: at(3) },
    audit('policy.put', 3),
  )
  await repos.tlsRpt.put(
    { domainId: 'd1', rua: ['mailto:tlsrpt@alpha.example'], updatedAt: at(4) },
    audit('tlsrpt.put', 4),
  )
  const sha = 'b'.repeat(64)
  const assertion = {
    domainId: 'd1',
    selector: 'default',
    logoSha256: sha,
    vmcPem: null,
    vmcNotAfter: null,
    vmcMatchesLogo: null,
    updatedAt: at(5),
  }
  const logo = { sha256: sha, svg: LOGO, size: LOGO.length, createdAt: at(5) }
  await repos.bimi.putLogo(assertion, logo, audit('bimi.logo', 5))
  await repos.bimi.putCertificate(
    { ...assertion, vmcPem: 'PEM', vmcNotAfter: at(9), vmcMatchesLogo: true },
    audit('bimi.vmc', 6),
  )
  await repos.reports.insert({
    id: 'r1',
    domainId: 'd1',
    organization: 'Example Mail',
    reportId: 'rep-1',
    contact: null,
    startAt: T0,
    endAt: at(86400),
    day: '2026-12-01',
    successful: 10,
    failed: 1,
    parsed: { organization: 'Example Mail', policies: [{ total: 11 }] },
    warnings: ['a warning'],
    raw: RAW,
    source: 'https:192.0.2.1',
    receivedAt: at(7),
    storedBytes: 99,
    tally: null,
  })
  const found = [
    { kind: 'policy-host' as const, key: 'policy-host:down', severity: 'error' as const },
  ]
  await repos.checks.record({
    domainId: 'd1',
    tenantId: 't1',
    domain: 'alpha.example',
    at: at(8),
    ran: ['policy-host'],
    found: found.map((f) => ({ ...f, message: 'policy host unreachable' })),
    skipped: [],
  })
  await repos.alerts.addWebhook({
    id: 'w1',
    tenantId: 't1',
    url: 'https://hooks.example/x',
    secret: 's3cret',
    createdAt: at(9),
  })
  await repos.sessions.create({
    id: 'c'.repeat(64),
    tokenId: 'k1',
    csrf: 'csrf',
    createdAt: at(10),
    lastSeenAt: at(10),
    expiresAt: at(3600),
  })
}

/** Every row of every table through both drizzle schemas, as the repositories see them. */
async function everyRow(sqlitePath: string, target: OpenPg) {
  const open = openDatabase(sqlitePath)
  try {
    const left: Record<string, unknown[]> = {}
    const right: Record<string, unknown[]> = {}
    for (const t of Object.values(sqliteSchema)) {
      if (!is(t, SQLiteTable)) continue
      const c = sqliteTableConfig(t)
      left[c.name] = open.db.select().from(t).orderBy(asc(c.columns[0]!)).all()
    }
    for (const t of Object.values(pgSchema)) {
      if (!is(t, PgTable)) continue
      const c = pgTableConfig(t)
      right[c.name] = await target.db.select().from(t).orderBy(asc(c.columns[0]!))
    }
    return { left, right }
  } finally {
    open.close()
  }
}

const count = async (target: OpenPg, table: string) =>
  (await target.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n

describe.skipIf(SKIP_POSTGRES)(`copyFromSqlite${SKIP_POSTGRES_NOTE}`, () => {
  let dir: string
  let source: string
  let target: OpenPg
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'policyhost-migrate-store-'))
    source = join(dir, 'policyhost.sqlite')
    const open = openDatabase(source)
    migrateDatabase(open)
    await fill(sqliteRepos(open))
    open.close()
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  afterEach(async () => target?.close())
  const freshTarget = async () => (target = openPostgres(await freshPgDatabase()))

  it('when the plan is built from the schemas, then parents come before the tables that reference them', () => {
    const order = copyPlan().map((p) => p.name)
    expect(order.length).toBeGreaterThan(20)
    for (const [child, parent] of [
      ['domains', 'tenants'],
      ['hostnames', 'domains'],
      ['bimi_assertions', 'logos'],
      ['web_sessions', 'api_tokens'],
      ['alert_deliveries', 'alert_contacts'],
    ] as const) {
      expect(order.indexOf(child)).toBeGreaterThan(order.indexOf(parent))
    }
  })

  it('when a filled SQLite file is copied, then the PostgreSQL repositories read the same data', async () => {
    await freshTarget()
    const copies = await copyFromSqlite(source, target, { replace: false, batchRows: 2 })

    expect(copies.find((c) => c.table === 'tenants')).toEqual({ table: 'tenants', rows: 1 })
    expect(copies.find((c) => c.table === 'domains')?.rows).toBe(2)
    const sqlite = openDatabase(source)
    const [before, after] = [sqliteRepos(sqlite), pgRepos(target)]
    try {
      const names = async (r: Repos) => (await r.domains.list(null)).map((d) => d.name)
      expect(await names(after)).toEqual(await names(before))
      expect(await names(after)).toEqual(['alpha.example', 'beta.example'])
      expect((await after.policies.get('d1'))?.text).toBe(POLICY)
      expect((await after.tlsRpt.get('d1'))?.rua).toEqual(['mailto:tlsrpt@alpha.example'])
      expect(Buffer.from((await after.bimi.logo('b'.repeat(64)))!.svg).equals(LOGO)).toBe(true)
      expect((await after.bimi.get('d1', 'default'))?.vmcMatchesLogo).toBe(true)
      const report = await after.reports.get('d1', 'r1')
      expect(Buffer.from(report!.raw).equals(RAW)).toBe(true)
      expect(report?.parsed).toEqual((await before.reports.get('d1', 'r1'))?.parsed)
      expect(await after.checks.history('d1', 10)).toEqual(await before.checks.history('d1', 10))
      expect(await after.alerts.webhookTargets('t1')).toEqual(
        await before.alerts.webhookTargets('t1'),
      )
      expect(await after.sessions.get('c'.repeat(64))).toEqual(
        await before.sessions.get('c'.repeat(64)),
      )
      expect(await after.quotas.overrides('t1')).toEqual({ domains: 7 })
      const audits = sqlite.sqlite.prepare('SELECT count(*) AS n FROM audit_log').get() as {
        n: number
      }
      expect(await count(target, 'audit_log')).toBe(audits.n)
      expect(audits.n).toBeGreaterThan(5)
    } finally {
      sqlite.close()
    }
    const { left, right } = await everyRow(source, target)
    expect(right).toEqual(left)
  })

  it('when a row is written after the copy, then its serial id follows the copied ones', async () => {
    await freshTarget()
    await copyFromSqlite(source, target, { replace: false })
    const max = async (table: string) =>
      (await target.pool.query<{ n: number }>(`SELECT max(id) AS n FROM ${table}`)).rows[0]!.n
    const copiedAudit = await max('audit_log')
    const copiedEvents = await max('finding_events')

    await pgRepos(target).tenants.create(
      { id: 't2', name: 'beta', createdAt: T0 },
      null,
      audit('t'),
    )
    await pgRepos(target).checks.record({
      domainId: 'd2',
      tenantId: 't1',
      domain: 'beta.example',
      at: at(20),
      ran: ['policy-host'],
      found: [{ kind: 'policy-host', key: 'policy-host:x', severity: 'error', message: 'x' }],
      skipped: [],
    })

    expect(await max('audit_log')).toBeGreaterThan(copiedAudit)
    expect(await max('finding_events')).toBeGreaterThan(copiedEvents)
  })

  it('when the target already holds rows, then it refuses, and --replace copies anew', async () => {
    await freshTarget()
    await copyFromSqlite(source, target, { replace: false })
    await pgRepos(target).tenants.create(
      { id: 't9', name: 'extra', createdAt: T0 },
      null,
      audit('t'),
    )

    await expect(copyFromSqlite(source, target, { replace: false })).rejects.toThrow(
      /^the PostgreSQL database already holds rows \(tenants, .*\); use --replace to empty it first$/,
    )
    expect(await count(target, 'tenants')).toBe(2)

    await copyFromSqlite(source, target, { replace: true })
    expect((await pgRepos(target).tenants.list()).map((t) => t.id)).toEqual(['t1'])
    const { left, right } = await everyRow(source, target)
    expect(right).toEqual(left)
  })

  it('when a server writes to the SQLite file during the copy, then its writes go through and the copy is one consistent snapshot', async () => {
    const live = join(dir, 'live.sqlite')
    copyFileSync(source, live)
    const server = openDatabase(live)
    const insert = server.sqlite.prepare(
      "INSERT INTO audit_log (at, action, subject) VALUES (?, 'live', 'x')",
    )
    let written = 0
    const writer = setInterval(() => {
      insert.run(Date.now())
      written++
    }, 1)
    await freshTarget()
    const before = await copyFromSqlite(live, target, { replace: false, batchRows: 1 }).finally(
      () => clearInterval(writer),
    )
    const final = (
      server.sqlite.prepare('SELECT count(*) AS n FROM audit_log').get() as {
        n: number
      }
    ).n
    server.close()

    expect(written).toBeGreaterThan(0)
    const copied = before.find((c) => c.table === 'audit_log')!.rows
    expect(await count(target, 'audit_log')).toBe(copied)
    // Rows written after the snapshot began: the server was not blocked, and they are not copied.
    expect(final).toBeGreaterThan(copied)
  })

  it('when a row violates a PostgreSQL constraint mid-copy, then the target is left empty', async () => {
    const broken = join(dir, 'broken.sqlite')
    copyFileSync(source, broken)
    const db = new Database(broken)
    db.pragma('foreign_keys = OFF')
    db.prepare(
      "INSERT INTO hostnames (name, domain_id, role) VALUES ('x.example', 'gone', 'policy')",
    ).run()
    db.close()
    await freshTarget()

    await expect(copyFromSqlite(broken, target, { replace: false })).rejects.toThrow(
      /hostnames_domain_id_domains_id_fk/,
    )
    for (const plan of copyPlan()) expect(await count(target, plan.name)).toBe(0)
  })

  it('when the SQLite file is missing or not fully migrated, then it refuses before touching the target', async () => {
    await freshTarget()
    const missing = join(dir, 'nope.sqlite')
    await expect(copyFromSqlite(missing, target, { replace: false })).rejects.toThrow(
      `${missing}: no such file (set --from or DATA_DIR)`,
    )
    const behind = join(dir, 'behind.sqlite')
    copyFileSync(source, behind)
    const db = new Database(behind)
    db.exec(
      'DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)',
    )
    db.close()
    await expect(copyFromSqlite(behind, target, { replace: false })).rejects.toThrow(
      `${behind}: 1 migration(s) behind this version; upgrade it first`,
    )
    for (const plan of copyPlan()) expect(await count(target, plan.name)).toBe(0)
  })

  /** A deployment without certificate files or an ACME account (runtime/migrate-store.ts). */
  const noCerts = {
    certsDir: '/nonexistent/policyhost-certs',
    acmeDirectoryUrl: null,
    SECRETS_KEY: SecretsKey.fromBytes(new Uint8Array(32).fill(7)),
  }

  it('when DATABASE_URL is unset, then migrateStore refuses with a message naming it', async () => {
    await expect(
      migrateStore({ ...noCerts, DATABASE_URL: undefined, dbPath: source }, { replace: false }),
    ).rejects.toThrow('DATABASE_URL is unset: set it to the PostgreSQL database to copy into')
  })

  it('when migrateStore runs, then it sums the rows of every table', async () => {
    const url = await freshPgDatabase()
    const done = await migrateStore(
      { ...noCerts, DATABASE_URL: url, dbPath: source },
      { replace: false },
    )
    expect(done.from).toBe(source)
    expect(done.total).toBe(done.tables.reduce((n, t) => n + t.rows, 0))
    expect(done.tables.map((t) => t.table)).toEqual(copyPlan().map((p) => p.name))
  })
})
