/** bench: the table rows and notes of issue 15 (b)-(d), from scale.ts's figures. */
import type { Ctx } from './ctx.js'
import { f0, f1 } from './report.js'
import { percentile, type Propagation, type Writes } from './scale-load.js'
import type { Run } from './wrk.js'

export interface ScaleFigures {
  w1Ka: Run
  w2Ka: Run
  w1Hs: Run
  w2Hs: Run
  writers: number
  changes: number
  /** Unmeasured writes on each setup before 15c1's runs. */
  warmUpSeconds: number
  /** Why PostgreSQL did not start (then nothing below was measured). */
  pgFailed?: string
  /** Version and durability settings read back from the bench's PostgreSQL. */
  pgSettings?: string
  sqliteWrites?: Writes
  pgWrites?: Writes
  /** Statements the three instances sent per API write (median of the runs). */
  statementsPerWrite?: number
  pgOne?: Run
  pgAll?: Run
  prop?: Propagation
}

/** CPU % (of one core) the load generator used, and each core's busy %. */
const busy = (r: Run) =>
  `gen ${f0((100 * r.loadCpuS) / r.wallS)}%, cores ${r.cores.map((c) => f0(c)).join('/')}%`

export function scaleRows(ctx: Ctx, f: ScaleFigures): void {
  const t = ctx.table
  const S = 'SQLite, 10 domains'
  t.add({
    n: '15b1',
    figure: `keep-alive req/s, WORKERS=2 vs 1 (${busy(f.w2Ka)} vs ${busy(f.w1Ka)})`,
    setup: `${S}; wrk -t1 on core 1`,
    ours: f0(f.w2Ka.rps),
    ref: `${f0(f.w1Ka.rps)} WORKERS=1`,
    ratio: f.w2Ka.rps / f.w1Ka.rps,
    from: [f.w2Ka, f.w1Ka],
  })
  t.add({
    n: '15b2',
    figure: `full handshakes/s, WORKERS=2 vs 1 (${busy(f.w2Hs)} vs ${busy(f.w1Hs)})`,
    setup: `${S}; tlsload on core 1`,
    ours: f0(f.w2Hs.rps),
    ref: `${f0(f.w1Hs.rps)} WORKERS=1`,
    ratio: f.w2Hs.rps / f.w1Hs.rps,
    from: [f.w2Hs, f.w1Hs],
  })
  ctx.notes.push(
    "Scale (b): WORKERS=1 runs pinned to core 0 as every other row; WORKERS=2 (node:cluster, the primary hands connections to 2 workers round-robin) is allowed both cores, and the generator stays on core 1, so on this 2-core machine one worker shares its core with the generator: 15b shows what a second core buys only up to where the single-threaded generator (wrk -t1, tlsload) is itself the limit; a generator near 100% of its core means the figure is the generator's, not ours.",
  )
  if (f.pgFailed !== undefined) {
    t.add({
      n: '15c1',
      figure: 'API writes/s, 3 instances on PostgreSQL vs 1 on SQLite',
      setup: 'PostgreSQL 15',
      ours: 'NOT MEASURED',
      ref: `PostgreSQL did not start: ${f.pgFailed}`,
      target: '>= 0.5x SQLite',
      ok: false,
    })
    return
  }
  const sw = f.sqliteWrites!
  const pw = f.pgWrites!
  const P = '3 instances + PostgreSQL 15 on core 0'
  t.add({
    n: '15c1',
    figure: `API writes/s, ${f.writers} clients PUT changed policies (p50/p99 ms ${f1(pw.p50ms)}/${f1(pw.p99ms)} vs ${f1(sw.p50ms)}/${f1(sw.p99ms)})`,
    setup: `${P}; SQLite: 1 instance, core 0`,
    ours: `${f1(pw.perSecond)}${pw.errors ? ` (${pw.errors} errors)` : ''}`,
    ref: `${f1(sw.perSecond)} SQLite${sw.errors ? ` (${sw.errors} errors)` : ''}; CPU ms/write ${f1(sw.cpuMsPerWrite[0] ?? NaN)} vs instances ${f1(pw.cpuMsPerWrite[0] ?? NaN)} + PostgreSQL ${f1(pw.cpuMsPerWrite[1] ?? NaN)}; ${f1(f.statementsPerWrite ?? NaN)} statements/write`,
    ratio: pw.perSecond / sw.perSecond,
    target: '>= 0.5x SQLite',
    ok: pw.perSecond >= 0.5 * sw.perSecond && pw.errors === 0,
  })
  const one = f.pgOne!
  const all = f.pgAll
  t.add({
    n: '15c2',
    figure: `keep-alive policy fetches/s, one PostgreSQL instance loaded, two idle (${busy(one)})`,
    setup: `${P}; wrk on core 1`,
    ours: f0(one.rps),
    ref: `${f0(f.w1Ka.rps)} SQLite instance (15b1)`,
    ratio: one.rps / f.w1Ka.rps,
    from: [one, f.w1Ka],
  })
  if (all) {
    t.add({
      n: '15c3',
      figure: `keep-alive policy fetches/s, all three loaded at once, sum (${busy(all)})`,
      setup: `${P}; 3 wrk on core 1`,
      ours: f0(all.rps),
      ref: `${f0(f.w1Ka.rps)} SQLite instance (15b1)`,
      ratio: all.rps / f.w1Ka.rps,
      from: [all, f.w1Ka],
    })
  }
  const p = f.prop!
  const last = [...p.lastMs].sort((a, b) => a - b)
  const others = [...p.othersMs].sort((a, b) => a - b)
  t.add({
    n: '15d',
    figure: `policy change to all 3 instances, ms after the PUT answered: p50 / p99 / max`,
    setup: `${P}; ${f.changes} changes`,
    ours: `${f1(percentile(last, 50))} / ${f1(percentile(last, 99))} / ${f1(last.at(-1) ?? NaN)}`,
    ref: `other instances alone: ${f1(percentile(others, 50))} / ${f1(percentile(others, 99))}; missed (30 s): ${p.missed}`,
  })
  ctx.notes.push(
    `Scale (c)-(d): ${f.pgSettings} — durable as a deployment runs it (the test cluster's fsync=off was turned back on for the bench); initdb'd by test/helpers/postgres.ts into a throwaway folder. PostgreSQL (every backend) and the three instances (own DATA_DIR and local CA each, one DATABASE_URL and SECRETS_KEY) share core 0, the same one core the single SQLite instance has, so 15c compares the stores on one core's budget, not three machines; the writers and wrk run on core 1. Writers: ${f.writers} clients, client k changes only domain k (no two on one row), round-robin over the instances, each PUT waiting for the previous; each setup first writes for ${f.warmUpSeconds} s unmeasured (steady state: three instances sharing the writes take three times as long as one process to JIT-compile the write path); SQLite figures come from the WORKERS=1 instance of 15b, runs alternating with the PostgreSQL ones. 15d: after each PUT answered, every instance is polled every 2 ms over a kept-alive HTTPS connection (SNI = Host = mta-sts.<domain>, certificate not checked) until it serves the new mx; the instance written through serves it at once, the others once LISTEN/NOTIFY arrives.`,
  )
}
