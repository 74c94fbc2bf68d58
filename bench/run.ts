/**
 * `npm run bench`: policy serving against nginx on this machine, and the 100k-domain figures
 * (issue 6). As root on Debian it installs nginx/wrk/util-linux when missing, builds, seeds
 * its own data under a temporary folder, runs every load on loopback with the server on core 0
 * and the load generator on core 1, stops everything it started and prints one table.
 *
 * Setups: S = 10 domains created through the API (certificates from our local CA), nginx the
 * reference; L = 100k domains + 100k certificates seeded by seed.ts. Tunables (env):
 * BENCH_SECONDS (10), BENCH_REPS (3), BENCH_CONNECTIONS (50), BENCH_DOMAINS (100000),
 * BENCH_WRITES_PER_SECOND (10), BENCH_KEEP=1 keeps the temporary folder.
 * BENCH_ONLY=tenant-work runs row 9 alone (tenant work off the serving loop, < 1 min);
 * BENCH_ONLY=restart runs row 10 alone (npm start with nothing changed, < 1 min);
 * BENCH_ONLY=dns runs rows 11 alone (our DNS server against knot, dnsperf; 2-3 min);
 * BENCH_ONLY=dashboard runs rows 12 alone on freshly seeded L data (BENCH_DOMAINS of them).
 * BENCH_ONLY=scale runs rows 15 alone (WORKERS=1 vs 2; 3 instances on PostgreSQL 15; ~5 min).
 * BENCH_ONLY=caddy runs rows 1g/1h/2h/2i/2j alone (S keep-alive and handshakes: ours, nginx,
 * caddy; the Node floor's handshakes).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { dashboardRows } from './dashboard.js'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { settings, type Ctx } from './ctx.js'
import { largeSetup } from './large.js'
import { profileHere } from './profile.js'
import { f0, f1, median } from './report.js'
import { renewalScan, seedLarge } from './seed.js'
import { dnsSetup } from './dns.js'
import { buildEntry } from './server.js'
import { smallSetup } from './small.js'
import { caddySetup } from './small-caddy.js'
import { restartSetup } from './restart.js'
import { scaleSetup } from './scale.js'
import { tenantWorkSetup } from './tenant-work.js'
import { ensureTools, log, machineFacts, PINNED, runCapture, stopAll } from './tools.js'

async function main(): Promise<void> {
  const t0 = performance.now()
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopAll()
      process.exit(130)
    })
  }
  process.on('exit', stopAll)
  const installed = ensureTools()
  const facts = machineFacts()
  for (const f of facts) log(f)
  log('building (npm run build)')
  const { argv: entry, note: entryNote } = await buildEntry()
  const workDir = mkdtempSync(join(tmpdir(), 'policyhost-bench-'))
  const ctx: Ctx = { ...settings(), entry, entryNote, workDir }
  const token = `bench-${randomBytes(24).toString('hex')}`
  try {
    if (process.env.BENCH_ONLY === 'tenant-work') {
      if (PINNED) await runCapture(['taskset', '-a', '-p', '-c', '1', String(process.pid)])
      await tenantWorkSetup(ctx, token)
      print(ctx, facts, installed, (performance.now() - t0) / 1000)
      return
    }
    if (process.env.BENCH_ONLY === 'dns') {
      if (PINNED) await runCapture(['taskset', '-a', '-p', '-c', '1', String(process.pid)])
      await dnsSetup(ctx)
      print(ctx, facts, installed, (performance.now() - t0) / 1000)
      return
    }
    if (process.env.BENCH_ONLY === 'caddy') {
      if (PINNED) await runCapture(['taskset', '-a', '-p', '-c', '1', String(process.pid)])
      await caddySetup(ctx, token)
      print(ctx, facts, installed, (performance.now() - t0) / 1000)
      return
    }
    if (process.env.BENCH_ONLY === 'scale') {
      if (PINNED) await runCapture(['taskset', '-a', '-p', '-c', '1', String(process.pid)])
      await scaleSetup(ctx, token)
      print(ctx, facts, installed, (performance.now() - t0) / 1000)
      return
    }
    if (process.env.BENCH_ONLY === 'restart') {
      await restartSetup(ctx)
      print(ctx, facts, installed, (performance.now() - t0) / 1000)
      return
    }
    const largeDir = join(workDir, 'large')
    if (process.env.BENCH_ONLY === 'dashboard') {
      await seedLarge(largeDir, ctx.domains)
      await dashboardRows(ctx, largeDir)
      print(ctx, facts, installed, (performance.now() - t0) / 1000)
      return
    }
    log(`seeding ${f0(ctx.domains)} domains, policies and certificates into ${largeDir}`)
    const seed = await seedLarge(largeDir, ctx.domains)
    log(
      `seeded in ${f1(seed.totalMs / 1000)} s (certificates ${f1(seed.certMs / 1000)} s on ${seed.workers} worker threads, SQLite ${f1(seed.dbMs / 1000)} s)`,
    )
    const scan = await renewalScan(largeDir, 5)
    ctx.profiles.push(
      ...(await profileHere(
        workDir,
        'renewal scan: 5 x due() then 5 x its SQL alone (bench process)',
        () => renewalScan(largeDir, 5, 0),
      )),
    )
    const scanMs = median(scan.ms)
    log(`renewal scan: ${scan.found} due, ${scan.ms.map((m) => f1(m)).join(' / ')} ms`)
    log(
      `  same SQL via better-sqlite3: ${scan.rawMs.map((m) => f1(m)).join(' / ')} ms; plan: ${scan.plan}`,
    )
    const refresh = median(scan.refreshMs)
    log(
      `snapshot refresh on ${f0(ctx.domains)} domains: ${scan.refreshMs.map((m) => f0(m)).join(' / ')} ms`,
    )
    if (PINNED) await runCapture(['taskset', '-a', '-p', '-c', '1', String(process.pid)])

    const small = await smallSetup(ctx, token)
    await caddySetup(ctx, token)
    await largeSetup(ctx, largeDir, token, small)
    await tenantWorkSetup(ctx, token)
    await restartSetup(ctx)
    await scaleSetup(ctx, token)
    await dnsSetup(ctx)
    await dashboardRows(ctx, largeDir)
    ctx.table.add({
      n: '5b',
      figure: `renewal scan: repos.certs.due(far future, 100000) found ${f0(scan.found)}`,
      setup: 'L data, openRuntime, median of 5',
      ours: `${f1(scanMs)} ms`,
      ref: `its SQL alone ${f1(median(scan.rawMs))} ms`,
      target: '<= 200 ms',
      ok: scanMs <= 200,
    })
    ctx.table.add({
      n: '5c',
      figure: 'full snapshot rebuild (PolicySnapshot.refresh)',
      setup: 'L data, openRuntime, median of 3',
      ours: `${f0(refresh)} ms`,
      ref: 'at start-up and after another process commits',
    })
    ctx.table.add({
      n: '5d',
      figure: 'orphan scan repos.certs.orphans(1000)',
      setup: 'L data, openRuntime, median of 3',
      ours: `${f0(median(scan.orphansMs))} ms`,
      ref: 'scheduled ticks, and kicks after hostnames went away',
    })
    ctx.notes.push(
      `L seeding took ${f1(seed.totalMs / 1000)} s: the product migrated the DATA_DIR and created its local CA root (openRuntime); ${seed.workers} worker threads issued one leaf per hostname from that root, each with its own fresh ECDSA P-256 key (template DER from the product's CA, re-signed with node:crypto; no key is shared) and wrote the store layout without fsync; domains, hostnames, policies, policy versions and certificate states went in with better-sqlite3 in one transaction.`,
    )
    const total = (performance.now() - t0) / 1000
    print(ctx, facts, installed, total)
  } finally {
    stopAll()
    if (process.env.BENCH_KEEP === '1') log(`kept ${workDir}`)
    else rmSync(workDir, { recursive: true, force: true })
  }
  log(`bench finished in ${f1((performance.now() - t0) / 1000)} s (including clean-up)`)
}

function print(ctx: Ctx, facts: string[], installed: string[], total: number): void {
  const others = ctx.others
  const out = [
    '',
    '== policyhost bench ==',
    ...facts,
    installed.length
      ? `installed with apt-get: ${installed.join(', ')}`
      : 'apt-get: nothing missing',
    `machine noise: other processes used a median ${f0(median(others))}% (max ${f0(Math.max(...others))}%) of one core during the load runs (2 cores = 200%)`,
    `ours: ${ctx.entryNote}, LOG_LEVEL=warn (row 7: info), TLS_CONTEXT_CACHE default (2000), POLICIES_DIR='' (no demo)`,
    `each load figure: median of ${ctx.reps} runs of ${ctx.seconds} s with ${ctx.conns} connections (rows 2e and 7: 1 run); ratio = ours / the first figure in the reference column`,
    '',
    ctx.table.print(),
    '',
    'Methods:',
    '- keep-alive: wrk -t1 --latency; its Lua script connects to 127.0.0.1 (overrides wrk.resolve) and keeps the URL host as SNI, so both servers negotiate the same certificate.',
    `- p99 at half peak: wrk2 is not in Debian; wrk's Lua delay() paces each of the ${ctx.conns} connections to one request per conns/(peak/2) ms (randomised 0.5-1.5x); nginx is paced the same way; wrk measures send to response.`,
    '- full handshakes: bench/tlsload.ts (Node, on core 1) opens a new TLS connection per request with SNI = Host, never offers a session, sends Connection: close and reads to the end; resumptions are counted (2d). Server CPU = utime+stime of the server (nginx: master + worker) from /proc/<pid>/stat over the run, per request; syscalls from /proc/<pid>/io (syscr, syscw). The generator saturates first on 2 cores, so 2b/3d (CPU per handshake) is the fair comparison.',
    '- 2d probe: one HTTPS fetch, then a second one offering the session (ticket) the first got; RESUMES means a client that offers sessions (wrk, 2e) gets resumed handshakes from us. nginx has tickets and cache off.',
    '- L keep-alive: one hostname picked at random per run, Host = SNI (a policy is served only when they match, and wrk cannot vary SNI); L handshakes pick a random SNI = Host per connection, so the SNI context cache (1,000 by default) mostly misses.',
    `- writer: one client PUTs a changed policy (new mx, so a new id) for a random domain ${ctx.writesPerSecond} times/s on the HTTP admin API while wrk runs; writer runs alternate with plain keep-alive runs (6a/6b compare those), and 3a is the plain L series.`,
    ...ctx.notes.map((n) => `- ${n}`),
    '',
    'CPU profiles of our server (V8 sampling profiler via the inspector, separate runs after the measured ones):',
    ...ctx.profiles,
    '',
    `load average after the runs: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `whole bench: ${f1(total / 60)} min`,
  ]
  console.log(out.join('\n'))
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message)
  stopAll()
  process.exitCode = 1
})
