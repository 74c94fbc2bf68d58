/**
 * bench, issue 15 (b)-(d), `BENCH_ONLY=scale`: WORKERS=1 against WORKERS=2 on SQLite; three
 * instances sharing one PostgreSQL 15 against one instance on SQLite (API writes/s, policy
 * fetches/s); and how long a policy change takes to reach every instance. Each setup gets 10
 * domains created through the admin API, as setup S does, with certificates from the local CA.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js'
import { addDomainWithPolicy, apiOf, createTenant, waitApi, type Api } from './admin.js'
import { interleaved, type Ctx } from './ctx.js'
import { f0, f1, median, othersPct } from './report.js'
import { scaleRows, type ScaleFigures } from './scale-rows.js'
import { apiWrites, propagation, type Writes } from './scale-load.js'
import { hostOf } from './seed.js'
import { startOurs, waitPolicy, type Ours } from './server.js'
import { log, PINNED, runCapture, tree, treeCpu } from './tools.js'
import { runHandshakes, runWrk, type LoadSpec, type Run } from './wrk.js'

/** Setup S's size: enough for one writer per domain. */
const DOMAINS = 10
/** Concurrent API writers (the 8): more than the cores, within one pool (10). */
const WRITERS = 8
/** Policy changes timed to every instance (the 100). */
const CHANGES = 100
const HOST = hostOf(1)
/** Unmeasured writes before 15c1's runs (see there). */
const WARM_UP_SECONDS = 30

/** Waits until the instance answers its admin API. */
async function ready(s: Ours): Promise<Api> {
  const api = apiOf(s.httpPort, s.token)
  await waitApi(api, 1200)
  return api
}

async function populate(s: Ours, api: Api): Promise<void> {
  const tenantId = await createTenant(api, 'bench-scale')
  for (let i = 1; i <= DOMAINS; i++) await addDomainWithPolicy(api, tenantId, i)
  await servesAll(s)
}

async function servesAll(s: Ours): Promise<void> {
  for (let i = 1; i <= DOMAINS; i++) await waitPolicy(s, hostOf(i), 120_000)
}

/** CPU affinity of every thread of a process tree (taskset pins only what it starts). */
async function pinTree(pid: number, cores: string): Promise<void> {
  if (!PINNED) return
  for (const p of tree(pid)) {
    await runCapture(['taskset', '-a', '-p', '-c', cores, String(p)]).catch(() => '')
  }
}

/** A durable PostgreSQL 15 (fsync on) on the server core; its settings as read back. */
async function startPg(): Promise<{ db: TestPostgres; settings: string }> {
  // pg_stat_statements counts the statements clients send (top level: one per round trip).
  const db = await startPostgres({
    durable: true,
    settings: ['shared_preload_libraries=pg_stat_statements'],
  })
  const pid = db.pid()
  // Backends fork from the postmaster later and inherit its affinity.
  if (pid !== null) await pinTree(pid, '0')
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    await client.query('create extension if not exists pg_stat_statements')
    const { rows } = await client.query<Record<string, string>>(
      `select version() v, current_setting('fsync') f, current_setting('synchronous_commit') s`,
    )
    const r = rows[0]!
    return {
      db,
      settings: `${r.v!.split(' on ')[0]}, fsync=${r.f}, synchronous_commit=${r.s}`,
    }
  } finally {
    await client.end()
  }
}

/**
 * Statements the instances sent since the last call (pg_stat_statements, then reset): with the
 * writes counted over the same span, the round trips each API write costs across all instances.
 */
async function statementsSent(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string | null }>(
      `select sum(calls) as n from pg_stat_statements where query not like '%pg_stat_statements%'`,
    )
    await client.query('select pg_stat_statements_reset()')
    return Number(rows[0]?.n ?? 0)
  } finally {
    await client.end()
  }
}

/** Several wrk runs measured at the same time as one: requests summed, latencies the worst. */
function together(runs: Run[]): Run {
  const sum = (f: (r: Run) => number) => runs.reduce((s, r) => s + f(r), 0)
  const worst = (f: (r: Run) => number) => Math.max(...runs.map(f))
  const requests = sum((r) => r.requests)
  const r: Run = {
    ...runs[0]!,
    requests,
    rps: sum((x) => x.rps),
    p50ms: worst((x) => x.p50ms),
    p99ms: worst((x) => x.p99ms),
    errors: sum((x) => x.errors),
    wallS: worst((x) => x.wallS),
    serverCpuS: sum((x) => x.serverCpuS),
    userS: sum((x) => x.userS),
    sysS: sum((x) => x.sysS),
    loadCpuS: sum((x) => x.loadCpuS),
    cpuPerReqMs: (1000 * sum((x) => x.serverCpuS)) / Math.max(1, requests),
  }
  return { ...r, others: othersPct(r) }
}

const medianWrites = (ws: Writes[]): Writes => ({
  writes: median(ws.map((w) => w.writes)),
  perSecond: median(ws.map((w) => w.perSecond)),
  p50ms: median(ws.map((w) => w.p50ms)),
  p99ms: median(ws.map((w) => w.p99ms)),
  errors: ws.reduce((s, w) => s + w.errors, 0),
  cpuMsPerWrite: (ws[0]?.cpuMsPerWrite ?? []).map((_, i) =>
    median(ws.map((w) => w.cpuMsPerWrite[i] ?? NaN)),
  ),
})

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

const describeWrites = (w: Writes) =>
  `${f1(w.perSecond)} writes/s (${f0(w.writes)}), p50 ${f1(w.p50ms)} ms, p99 ${f1(w.p99ms)} ms, errors ${w.errors}; CPU ms/write ${w.cpuMsPerWrite.map(f1).join(' + ')}`

export async function scaleSetup(ctx: Ctx, token: string): Promise<void> {
  const base = { entry: ctx.entry, workDir: ctx.workDir, token }
  const spec = (port: number, conns = ctx.conns): LoadSpec => ({
    port,
    sni: HOST,
    hosts: 1,
    conns,
    seconds: ctx.seconds,
  })
  const wrkOn = (s: Ours, conns?: number) => () =>
    runWrk(s.pid, spec(s.httpsPort, conns), ctx.workDir)

  log(`scale: SQLite instances WORKERS=1 and WORKERS=2, ${DOMAINS} domains each via the API`)
  const w1 = await startOurs({ ...base, dataDir: join(ctx.workDir, 'scale-w1'), label: 'scale-w1' })
  const w1Api = await ready(w1)
  await populate(w1, w1Api)
  const w2 = await startOurs({
    ...base,
    dataDir: join(ctx.workDir, 'scale-w2'),
    label: 'scale-w2',
    env: { WORKERS: '2' },
  })
  await populate(w2, await ready(w2))
  // startOurs pinned the primary to core 0; its workers may use both cores.
  await pinTree(w2.pid, '0,1')

  log('scale (b): WORKERS=1 (core 0) against WORKERS=2 (cores 0-1); generator on core 1')
  const [w1Ka, w2Ka, w1Hs, w2Hs] = await interleaved(ctx, [
    ['WORKERS=1 keep-alive', wrkOn(w1)],
    ['WORKERS=2 keep-alive', wrkOn(w2)],
    ['WORKERS=1 handshakes', () => runHandshakes(w1.pid, spec(w1.httpsPort))],
    ['WORKERS=2 handshakes', () => runHandshakes(w2.pid, spec(w2.httpsPort))],
  ])
  await w2.stop()
  const figs: ScaleFigures = {
    w1Ka,
    w2Ka,
    w1Hs,
    w2Hs,
    writers: WRITERS,
    changes: CHANGES,
    warmUpSeconds: WARM_UP_SECONDS,
  }

  log('scale (c): PostgreSQL 15 (durable) and three instances on it')
  let pgRun: Awaited<ReturnType<typeof startPg>>
  try {
    pgRun = await startPg()
  } catch (err) {
    const why = (err as Error).message
    log(`scale: PostgreSQL did not start: ${why}`)
    figs.pgFailed = why.split('\n').slice(0, 6).join(' | ')
    await w1.stop()
    scaleRows(ctx, figs)
    return
  }
  const { db } = pgRun
  figs.pgSettings = pgRun.settings
  const pgEnv = { DATABASE_URL: db.url, SECRETS_KEY: randomBytes(32).toString('hex') }
  const instances: Ours[] = []
  try {
    for (const name of ['a', 'b', 'c']) {
      const s = await startOurs({
        ...base,
        dataDir: join(ctx.workDir, `scale-pg-${name}`),
        label: `scale-pg-${name}`,
        env: pgEnv,
      })
      instances.push(s)
      const api = await ready(s)
      if (name === 'a') await populate(s, api)
      else await servesAll(s)
    }
    const apis = instances.map((s) => apiOf(s.httpPort, token))
    const [a] = instances as [Ours]

    log(`scale (c): ${WRITERS} API writers, one SQLite instance against three on PostgreSQL`)
    const sqliteCpu = () => [treeCpu(w1.pid)]
    // The postmaster's tree holds every backend (the pools keep theirs open across runs).
    const pgCpu = () => [sumOf(instances.map((s) => treeCpu(s.pid))), treeCpu(db.pid() ?? 0)]
    // Steady state, as a server runs for days: each process's JIT compiles the write path by
    // how often it runs it, so three instances sharing the writes take three times as long as one
    // to get there (measured: the PostgreSQL figure rose for ~30 s, SQLite's for ~8 s). Both
    // setups write unmeasured for the same time first; the figures are logged, not used.
    for (const [name, apis_] of [
      ['SQLite', [w1Api]],
      ['PostgreSQL', apis],
    ] as const) {
      const w = await apiWrites([...apis_], WRITERS, WARM_UP_SECONDS, `warm-${name}`)
      log(`  ${name} warm-up (${WARM_UP_SECONDS} s, not measured): ${describeWrites(w)}`)
    }
    const sqliteW: Writes[] = []
    const pgW: Writes[] = []
    const statementsPerWrite: number[] = []
    for (let r = 0; r < ctx.reps; r++) {
      sqliteW.push(await apiWrites([w1Api], WRITERS, ctx.seconds, `s${r}`, sqliteCpu))
      log(`  SQLite writes #${r + 1}: ${describeWrites(sqliteW.at(-1)!)}`)
      await statementsSent(db.url)
      pgW.push(await apiWrites(apis, WRITERS, ctx.seconds, `p${r}`, pgCpu))
      const sent = (await statementsSent(db.url)) / Math.max(1, pgW.at(-1)!.writes)
      statementsPerWrite.push(sent)
      log(
        `  PostgreSQL writes #${r + 1}: ${describeWrites(pgW.at(-1)!)}; ${f1(sent)} statements/write`,
      )
    }
    figs.statementsPerWrite = median(statementsPerWrite)
    figs.sqliteWrites = medianWrites(sqliteW)
    figs.pgWrites = medianWrites(pgW)

    log('scale (c): policy fetches, one PostgreSQL instance (others idle), then all three')
    const third = Math.max(1, Math.round(ctx.conns / 3))
    const [pgOne] = await interleaved(ctx, [['PostgreSQL instance a keep-alive', wrkOn(a)]])
    figs.pgOne = pgOne
    // Should a wrk print no figures (three at once once shared one script file, rewritten while
    // another loaded it: fixed in wrk.ts), the row says so instead of ending the whole bench.
    try {
      const [pgAll] = await interleaved(ctx, [
        [
          'PostgreSQL a+b+c keep-alive at once',
          async () => together(await Promise.all(instances.map((s) => wrkOn(s, third)()))),
        ],
      ])
      figs.pgAll = pgAll
    } catch (err) {
      log(`  three wrk at once failed: ${(err as Error).message.split('\n')[0]}`)
    }

    log(`scale (d): ${CHANGES} policy changes, each through a random instance`)
    const targets = instances.map((s, k) => ({ api: apis[k]!, httpsPort: s.httpsPort }))
    figs.prop = await propagation(targets, DOMAINS, CHANGES)
  } finally {
    for (const s of instances) await s.stop()
    await w1.stop()
    await db.stop()
  }
  scaleRows(ctx, figs)
}
