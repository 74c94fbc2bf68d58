/**
 * bench: the 100k setup. The product migrates the DATA_DIR and creates its local CA root
 * (openRuntime), worker threads issue one real certificate per hostname with that CA, and the
 * rows a registered domain with a policy and an issued certificate has are inserted with
 * better-sqlite3 in one transaction (what addDomain + setPolicy + issuance would leave). Every
 * domain is also delegated (issue 12) with its zone entry written, as the zone engine leaves it,
 * so setup L runs with the zone loaded: `_mta-sts` and a TLS-RPT record of realistic length.
 */
import { randomUUID } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { sha256Hex } from '../src/adapters/crypto/secrets.js'
import { loadConfig } from '../src/config.js'
import { policyId } from '../src/core/mta-sts/policy-id.js'
import { renderPolicy } from '../src/core/mta-sts/policy.js'
import { renderStsRecord } from '../src/core/mta-sts/sts-record.js'
import { zoneLabel } from '../src/core/dns/zone-label.js'
import { openRuntime } from '../src/main.js'
import type { CertRow, SeedJob } from './seed-worker.js'
import { log } from './tools.js'

export const domainOf = (i: number) => `bench${i}.example`
export const hostOf = (i: number) => `mta-sts.${domainOf(i)}`
export const MAX_AGE = 604800
/** The delegated zone setup L serves (DNS_ZONE). */
export const BENCH_ZONE = 'dns.bench-provider.example'
export const policyFor = (i: number) => ({
  mode: 'enforce' as const,
  mx: [`mx1.${domainOf(i)}`, '*.mx.bench-provider.example'],
  maxAge: MAX_AGE,
})

export const configFor = (dataDir: string) =>
  loadConfig({ DATA_DIR: dataDir, POLICIES_DIR: '', LOG_LEVEL: 'warn' })

// Workers do not inherit tsx's loader from `tsx bench/run.ts`: register it, then load the TS.
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((api) => api.register())
  .then(() => import(${JSON.stringify(new URL('./seed-worker.ts', import.meta.url).href)}))`

export interface SeedResult {
  totalMs: number
  certMs: number
  dbMs: number
  workers: number
}

/** Seeds `n` domains (bench1..bench<n>.example), each with a policy and a certificate. */
export async function seedLarge(dataDir: string, n: number): Promise<SeedResult> {
  const t0 = performance.now()
  const config = configFor(dataDir)
  const rt = await openRuntime(config, { oneShot: true })
  rt.close()
  const workers = Math.max(1, availableParallelism())
  const rows: CertRow[] = []
  const per = Math.ceil(n / workers)
  let lastReport = Date.now()
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const job: SeedJob = {
        certsDir: config.certsDir,
        from: 1 + w * per,
        to: Math.min(n, (w + 1) * per) + 1,
        hostOf: 'mta-sts.bench{i}.example',
      }
      const worker = new Worker(WORKER_BOOT, { eval: true, workerData: job })
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (m: { rows?: CertRow[]; done?: boolean; error?: string }) => {
          if (m.error) return reject(new Error(m.error))
          rows.push(...(m.rows ?? []))
          if (Date.now() - lastReport > 15_000) {
            lastReport = Date.now()
            log(`  ${rows.length}/${n} certificates issued`)
          }
          if (m.done) void worker.terminate().then(() => resolve())
        })
        worker.on('error', reject)
      })
    }),
  )
  const certMs = performance.now() - t0
  const t1 = performance.now()
  insertRows(config.dbPath, n, rows)
  const dbMs = performance.now() - t1
  return { totalMs: performance.now() - t0, certMs, dbMs, workers }
}

function insertRows(dbPath: string, n: number, certs: CertRow[]): void {
  const db = new Database(dbPath)
  db.pragma('journal_mode = WAL')
  const now = Date.now()
  const tenantId = randomUUID()
  const ins = {
    tenant: db.prepare('insert into tenants (id, name, created_at) values (?, ?, ?)'),
    domain: db.prepare(
      `insert into domains (id, tenant_id, name, status, created_at, max_age_high)
       values (?, ?, ?, 'active', ?, ?)`,
    ),
    host: db.prepare(`insert into hostnames (name, domain_id, role) values (?, ?, 'policy')`),
    policy: db.prepare(
      `insert into mta_sts_policies (domain_id, mode, max_age, mx, policy_id, text, updated_at)
       values (?, ?, ?, ?, ?, ?, ?)`,
    ),
    version: db.prepare(
      `insert into policy_versions (domain_id, policy_id, text, first_served_at)
       values (?, ?, ?, ?)`,
    ),
    delegate: db.prepare(`update domains set dns_mode = 'delegated', dns_label = ? where id = ?`),
    entry: db.prepare(
      `insert into dns_entries (domain_id, label, entry, sts_id, version, updated_at)
       values (?, ?, ?, ?, ?, ?)`,
    ),
    zone: db.prepare('insert into dns_zone (id, version, changed_at) values (1, ?, ?)'),
    cert: db.prepare(
      `insert into certificates (hostname, status, issuer_name, serial, issuer, not_before,
       not_after, renew_at, due_at, failures, updated_at)
       values (@hostname, @status, @issuerName, @serial, @issuer, @notBefore, @notAfter,
       @renewAt, @dueAt, 0, @updatedAt)`,
    ),
  }
  const firstVersion = Math.floor(now / 1000)
  db.transaction(() => {
    ins.tenant.run(tenantId, 'bench', now)
    ins.zone.run(firstVersion + n, now)
    for (let i = 1; i <= n; i++) {
      const id = randomUUID()
      const p = policyFor(i)
      const text = renderPolicy(p)
      const pid = policyId(text, sha256Hex)
      ins.domain.run(id, tenantId, domainOf(i), now, p.maxAge)
      ins.host.run(hostOf(i), id)
      ins.policy.run(id, p.mode, p.maxAge, JSON.stringify(p.mx), pid, text, now)
      ins.version.run(id, pid, text, now)
      const label = zoneLabel(domainOf(i))
      ins.delegate.run(label, id)
      const entry = {
        label,
        mtaSts: renderStsRecord(pid),
        // The shape the service writes: our report URL (a 22-character token), then the owner's.
        tlsRpt: `v=TLSRPTv1; rua=https://localhost/tlsrpt/${randomUUID().replace(/-/g, '').slice(0, 22)},mailto:tlsrpt@${domainOf(i)}`,
        bimi: [],
      }
      ins.entry.run(id, label, JSON.stringify(entry), pid, firstVersion + i, now)
    }
    for (const c of certs) ins.cert.run(c)
  })()
  db.close()
}

export interface Scan {
  ms: number[]
  found: number
  /** The same query as plain SQL through better-sqlite3 (pluck): SQLite's own share. */
  rawMs: number[]
  plan: string
  /** PolicySnapshot.refresh(): the full rebuild (start-up; another process's commit). */
  refreshMs: number[]
  /** repos.certs.orphans(1000, []): what every CertManager tick (each API write kicks one) runs. */
  orphansMs: number[]
}

/** `repos.certs.due(now, 100000, [])` with a far-future now, `times` runs, ms; and its SQL alone. */
export async function renewalScan(dataDir: string, times = 5, refreshes = 3): Promise<Scan> {
  const rt = await openRuntime(configFor(dataDir), { oneShot: true })
  try {
    const far = new Date(Date.now() + 10 * 365 * 86_400_000)
    const ms: number[] = []
    const rawMs: number[] = []
    let found = 0
    for (let k = 0; k < times; k++) {
      const t = performance.now()
      found = (await rt.deps.repos.certs.due(far, 100_000, [])).length
      ms.push(performance.now() - t)
    }
    // What cert-states.ts asks drizzle for, written out.
    const sql = `select c.hostname from certificates c left join hostnames h on h.name = c.hostname
      where c.due_at <= ? and h.name is not null order by c.due_at asc limit ?`
    const stmt = rt.store.sqlite!.sqlite.prepare(sql).pluck()
    for (let k = 0; k < times; k++) {
      const t = performance.now()
      stmt.all(far.getTime(), 100_000)
      rawMs.push(performance.now() - t)
    }
    const plan = (
      rt.store.sqlite!.sqlite.prepare(`explain query plan ${sql}`).all(0, 1) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ')
    const refreshMs: number[] = []
    for (let k = 0; k < refreshes; k++) {
      const t = performance.now()
      await rt.snapshot.refresh()
      refreshMs.push(performance.now() - t)
    }
    const orphansMs: number[] = []
    for (let k = 0; k < refreshes; k++) {
      const t = performance.now()
      await rt.deps.repos.certs.orphans(1000, [])
      orphansMs.push(performance.now() - t)
    }
    return { ms, found, rawMs, plan, refreshMs, orphansMs }
  } finally {
    rt.close()
  }
}
