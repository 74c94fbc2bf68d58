import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { migrateDatabase, openDatabase } from '../db/database.js'
import { sqliteRepos } from '../db/repos/index.js'
import { createLogger } from '../log/logger.js'
import { WorkerPool } from './pool.js'
import { inProcessPorts } from './in-process-ports.js'
import { pooledPorts } from './ports.js'

const log = createLogger('warn', () => undefined)
const pool = new WorkerPool({
  size: 1,
  timeoutMs: 60_000,
  maxOldMb: 128,
  perTenant: 1,
  maxQueued: 4,
  log,
})
afterAll(() => pool.destroy())
const ports = pooledPorts(pool, { size: 1, maxQueued: 4 }, { sqlite: ':memory:' })

const report = new TextEncoder().encode('{}')
const limits = {
  maxDecompressed: 1024,
  store: { policies: 10, detailsPerPolicy: 10, parsedBytes: 65_536 },
}

describe('pooledPorts: TLS reports queue per tenant', () => {
  it("when one tenant's reports fill its share, then another tenant's report still gets a worker", async () => {
    // The share is the workers plus half the queue: 1 + 2 = 3 jobs for tenant a.
    const a = Array.from({ length: 4 }, () =>
      ports.process(report, 'application/tlsrpt+json', limits, 'tenant-a').catch((e) => e),
    )
    const b = await ports.process(report, 'application/tlsrpt+json', limits, 'tenant-b')
    const settled = await Promise.all(a)

    expect(b).toMatchObject({ ok: false, status: 400 })
    expect(settled.filter((r) => r?.code === 'RATE_LIMITED')).toHaveLength(1)
    expect(settled.filter((r) => r?.ok === false && r?.status === 400)).toHaveLength(3)
  }, 60_000)
})

describe('pooledPorts: the TLS health view', () => {
  it('when a worker reads the tallies from the database file, then the view equals the in-process one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ph-health-'))
    const path = join(dir, 'policyhost.sqlite')
    const open = openDatabase(path)
    migrateDatabase(open)
    const tally = {
      successful: 9,
      failed: 1,
      policies: [['', 10]],
      mxSuccess: [],
      byType: [['certificate-expired', 1]],
      byMx: [['mx1.example.com', 1]],
      byIp: [],
    }
    open.sqlite.exec(`
      INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'acme', 0);
      INSERT INTO domains (id, tenant_id, name, status, created_at) VALUES ('d1', 't1', 'example.com', 'active', 0);
    `)
    const start = Date.parse('2026-11-04T00:00:00Z')
    open.sqlite
      .prepare(
        `INSERT INTO tls_reports (id, domain_id, organization, report_id, start_at, end_at, day,
           successful, failed, parsed, warnings, raw, source, received_at, tally)
         VALUES ('r1', 'd1', 'Sender Inc.', 'rid-1', ?, ?, '2026-11-04', 9, 1, '{}', '[]', x'00',
           'test', ?, ?)`,
      )
      .run(start, start + 86_399_000, start, JSON.stringify(tally))
    const query = {
      domainId: 'd1',
      domain: 'example.com',
      fromDay: '2026-11-04',
      toDay: '2026-11-05',
      served: [],
      now: new Date('2026-11-05T10:00:00Z'),
      days: 2,
    }
    const repo = sqliteRepos(open).reports
    const inProcess = inProcessPorts((q) => repo.healthRows(q.domainId, q.fromDay, q.toDay))
    try {
      const pooled = await pooledPorts(pool, { size: 1, maxQueued: 4 }, { sqlite: path }).health(
        query,
        't1',
      )

      expect(pooled).toEqual(await inProcess.health(query, 't1'))
      expect(pooled.days.map((d) => d.failedSessions)).toEqual([1, 0])
    } finally {
      open.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
