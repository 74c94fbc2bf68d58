/**
 * bench, rows 11 (issue 12): our authoritative DNS server against knot serving the same zone of
 * BENCH_DOMAINS delegated domains, both pinned to the server core, dnsperf (Debian) on the load
 * core: queries/s at saturation, p50/p99 at a fixed rate both sustain, and RSS with the zone
 * loaded. Runnable alone: `BENCH_ONLY=dns npm run bench` (about a minute plus 2 × reps runs).
 */
import { spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import dnsPacket from 'dns-packet'
import { build } from 'esbuild'
import type { Ctx } from './ctx.js'
import {
  BENCH_ZONE,
  benchLabels,
  benchZone,
  QUERY_MIX,
  queryFile,
  zoneFileText,
} from './dns-zone.js'
import { f0, f1, f2, median, othersPct } from './report.js'
import { freePort, ROOT } from './server.js'
import {
  coreBusy,
  coreTimes,
  counters,
  knotdBin,
  log,
  pinLoad,
  pinServer,
  rssMb,
  runCapture,
  sleep,
  start,
  stop,
} from './tools.js'
import type { Run } from './wrk.js'

/** Distinct queries in the file; dnsperf loops over it, so a run repeats names. */
const QUERIES = 200_000
/** UDP sockets dnsperf spreads its queries over (each its own source port). */
const CLIENTS = 8
/** Queries in flight at once: enough that neither server waits for dnsperf at saturation. */
const OUTSTANDING = 500
/**
 * The latency runs' fixed rate, as a share of the lower median peak: a quarter, not the half the
 * HTTP rows use, because at half ours fell behind whenever other processes took part of core 0,
 * and a queue measures the backlog, not the server.
 */
const LATENCY_SHARE = 0.25
/** knot's UDP worker threads: one, as both servers get one core (see the row note). */
const KNOT_UDP_WORKERS = 1
/** Names asked of both servers before the runs, whose answers must be the same. */
const SAMPLE = 60

interface Server {
  label: string
  pid: number
  port: number
}

/** CPU of the command run inside `sh`, from the shell's cutime+cstime after it waited. */
const withChildCpu = (argv: string[]) => [
  'sh',
  '-c',
  `"$@"; s=$(cat /proc/$$/stat); set -- \${s##*) }; echo "CHILDCPU $((\${14}+\${15}))"`,
  'sh',
  ...argv,
]

/** One dnsperf run against `s`, with the server's CPU and both cores' load around it. */
async function dnsperf(ctx: Ctx, s: Server, file: string, extra: string[]): Promise<Run> {
  const argv = ['dnsperf', '-s', '127.0.0.1', '-p', String(s.port), '-d', file]
  argv.push('-l', String(ctx.seconds), '-c', String(CLIENTS), ...extra)
  const c0 = counters(s.pid)
  const t0 = coreTimes()
  const w0 = performance.now()
  const out = await runCapture(withChildCpu(pinLoad(argv)))
  // Whole process lifetime, as the CPU figures are: dnsperf's own run time leaves out start-up
  // and the wait for replies still in flight.
  const wallS = (performance.now() - w0) / 1000
  const cores = coreBusy(t0, coreTimes())
  const c1 = counters(s.pid)
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN)
  const completed = num(/Queries completed:\s+(\d+)/)
  const ms = [...out.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)].map((m) => 1000 * Number(m[1]))
  ms.sort((a, b) => a - b)
  const q = (p: number) =>
    ms.length ? ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)]! : NaN
  const user = c1.user - c0.user
  const sys = c1.sys - c0.sys
  const r: Run = {
    requests: completed,
    rps: num(/Queries per second:\s+([\d.]+)/),
    p50ms: q(0.5),
    p99ms: q(0.99),
    errors: num(/Queries lost:\s+(\d+)/),
    wallS,
    serverCpuS: user + sys,
    userS: user,
    sysS: sys,
    readsPerReq: (c1.syscr - c0.syscr) / Math.max(1, completed),
    writesPerReq: (c1.syscw - c0.syscw) / Math.max(1, completed),
    cpuPerReqMs: (1000 * (user + sys)) / Math.max(1, completed),
    loadCpuS: num(/CHILDCPU (\d+)/) / 100,
    cores,
    others: 0,
  }
  return { ...r, others: othersPct(r) }
}

const describeDns = (r: Run) =>
  `${f0(r.rps)} q/s, lost ${r.errors}, p50 ${f2(r.p50ms)} ms, p99 ${f2(r.p99ms)} ms; ` +
  `server ${f0((100 * r.serverCpuS) / r.wallS)}% CPU (user ${f0((100 * r.userS) / r.wallS)} + sys ${f0((100 * r.sysS) / r.wallS)}; ${f2(1000 * r.cpuPerReqMs)} µs/query), ` +
  `dnsperf ${f0((100 * r.loadCpuS) / r.wallS)}%; ` +
  `${r.cores.map((c, i) => `core${i} ${f0(c)}%`).join(' ')}; others ${f0(r.others)}%`

/** One UDP query; rcode and the answers' TXT data as text, to compare both servers. */
function ask(port: number, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4')
    const timer = setTimeout(() => (sock.close(), reject(new Error(`no answer for ${name}`))), 2000)
    sock.on('message', (msg) => {
      clearTimeout(timer)
      sock.close()
      const p = dnsPacket.decode(msg)
      const answers = (p.answers ?? []).map((a) =>
        a.type === 'TXT' ? (a.data as Buffer[]).map((b) => b.toString()).join('') : a.type,
      )
      resolve(
        `${(p as { rcode?: string }).rcode} ${(p.flags ?? 0) & 0x400 ? 'aa' : '-'} ${answers.join(' | ')}`,
      )
    })
    const q = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ type: 'TXT', name }],
    })
    sock.send(q, port, '127.0.0.1')
  })
}

/** Waits until `port` answers `name`; throws after `maxMs`. */
async function answering(port: number, name: string, maxMs = 120_000): Promise<void> {
  const t0 = performance.now()
  for (;;) {
    const a = await ask(port, name).catch(() => null)
    if (a?.startsWith('NOERROR')) return
    if (performance.now() - t0 > maxMs) throw new Error(`port ${port}: no answer for ${name}`)
    await sleep(100)
  }
}

function knotConf(dir: string, port: number): string {
  return [
    'server:',
    `  rundir: "${join(dir, 'run')}"`,
    `  listen: 127.0.0.1@${port}`,
    `  udp-workers: ${KNOT_UDP_WORKERS}`,
    '  tcp-workers: 1',
    '  background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: warning',
    'database:',
    `  storage: "${join(dir, 'db')}"`,
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    'zone:',
    `  - domain: "${BENCH_ZONE}."`,
    '',
  ].join('\n')
}

/** Bundles bench/<name>.ts into one plain-node file, so no TypeScript loader runs in it. */
async function bundle(dir: string, name: string): Promise<string> {
  const outfile = join(dir, `${name}.mjs`)
  await build({
    entryPoints: [join(ROOT, `bench/${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // dns-packet is CommonJS and requires node builtins; ESM output needs a require for them.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  })
  return outfile
}

interface Loaded {
  udpPort: number
  buildMs: number
  records: number
  before: { rssMb: number; heapMb: number }
  loaded: { rssMb: number; heapMb: number }
}

export async function dnsSetup(ctx: Ctx): Promise<void> {
  const dir = join(ctx.workDir, 'dns')
  for (const d of ['run', 'db']) mkdirSync(join(dir, d), { recursive: true })
  const t0 = performance.now()
  const labels = benchLabels(ctx.domains)
  const zoneFile = zoneFileText(benchZone(labels))
  writeFileSync(join(dir, `${BENCH_ZONE}.zone`), zoneFile)
  const queries = join(dir, 'queries.txt')
  writeFileSync(queries, queryFile(labels, QUERIES))
  const entry = await bundle(dir, 'dns-server')
  const floorEntry = await bundle(dir, 'dns-floor')
  log(
    `dns: zone file (${f0(zoneFile.length / 1024)} KB), ${f0(QUERIES)} queries and bundle in ${f1((performance.now() - t0) / 1000)} s`,
  )

  const knotPort = await freePort()
  writeFileSync(join(dir, 'knot.conf'), knotConf(dir, knotPort))
  const knotT0 = performance.now()
  const knotd = start(pinServer([knotdBin(), '-c', join(dir, 'knot.conf')]), {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const probe = `${labels[0]}._mta-sts.${BENCH_ZONE}`
  await answering(knotPort, probe)
  const knotLoadS = (performance.now() - knotT0) / 1000
  await sleep(1000)
  const knotRss = rssMb(knotd.pid!)
  log(`dns: knot serves the zone after ${f1(knotLoadS)} s, RSS ${f0(knotRss)} MB`)

  const oursT0 = performance.now()
  const port = await freePort()
  const child = start(
    pinServer(['node', '--expose-gc', entry, JSON.stringify({ port, domains: ctx.domains })]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async (what: string) => {
    const line = await lines.next()
    if (line.done) throw new Error(`dns-server exited before ${what}`)
    return line.value as string
  }
  const first = await next('listening')
  const loaded = JSON.parse(first) as Loaded
  const oursLoadS = (performance.now() - oursT0) / 1000
  log(
    `dns: ours serves ${f0(loaded.records)} records after ${f1(oursLoadS)} s (zone built in ${f0(loaded.buildMs)} ms); ` +
      `RSS ${f0(loaded.before.rssMb)} MB before the zone, ${f0(loaded.loaded.rssMb)} MB with it (heap ${f0(loaded.before.heapMb)} → ${f0(loaded.loaded.heapMb)} MB)`,
  )

  // Same answers from both, or the comparison is void.
  const sample = queryFile(labels, SAMPLE, 99)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]!)
  let differ = 0
  for (const name of [probe, ...sample]) {
    const [a, b] = [await ask(port, name), await ask(knotPort, name)]
    if (a !== b) {
      differ++
      log(`dns: answers differ for ${name}: ours ${a}; knot ${b}`)
    }
  }

  const floorPort = await freePort()
  const floor = start(pinServer(['node', floorEntry, JSON.stringify({ port: floorPort })]), {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    floor.stdout!.once('data', () => resolve())
    floor.once('exit', (code) => reject(new Error(`dns-floor exited (${code})`)))
  })

  const servers = {
    knot: { label: 'knot', pid: knotd.pid!, port: knotPort },
    ours: { label: 'ours', pid: child.pid!, port },
    floor: { label: 'floor', pid: floor.pid!, port: floorPort },
  }
  const peak = { knot: [] as Run[], ours: [] as Run[], floor: [] as Run[] }
  for (let i = 0; i < ctx.reps; i++) {
    for (const k of ['knot', 'ours', 'floor'] as const) {
      const r = await dnsperf(ctx, servers[k], queries, ['-q', String(OUTSTANDING)])
      log(`  dns ${k} peak #${i + 1}: ${describeDns(r)}`)
      ctx.others.push(r.others)
      peak[k].push(r)
    }
  }
  const qps = {
    knot: median(peak.knot.map((r) => r.rps)),
    ours: median(peak.ours.map((r) => r.rps)),
    floor: median(peak.floor.map((r) => r.rps)),
  }
  const rate = Math.max(100, Math.round(LATENCY_SHARE * Math.min(qps.ours, qps.knot)))
  const lat = { knot: [] as Run[], ours: [] as Run[] }
  for (let i = 0; i < ctx.reps; i++) {
    for (const k of ['knot', 'ours'] as const) {
      const r = await dnsperf(ctx, servers[k], queries, [
        '-q',
        String(OUTSTANDING),
        '-Q',
        String(rate),
        '-v',
      ])
      log(`  dns ${k} at ${f0(rate)} q/s #${i + 1}: ${describeDns(r)}`)
      ctx.others.push(r.others)
      lat[k].push(r)
    }
  }
  const oursRssAfter = rssMb(child.pid!)
  child.kill('SIGUSR2')
  const { after } = JSON.parse(await next('its memory after the runs')) as {
    after: Loaded['loaded']
  }
  log(
    `dns: ours after the runs: RSS ${f0(oursRssAfter)} MB; after a full GC RSS ${f0(after.rssMb)} MB, heap ${f0(after.heapMb)} MB`,
  )
  await stop(child)
  await stop(knotd)
  await stop(floor)

  const ratio = qps.ours / qps.knot
  const mid = (rs: Run[], f: (r: Run) => number) => median(rs.map(f))
  const both = (rs: { knot: Run[]; ours: Run[] }) => [...rs.ours, ...rs.knot]
  const all3 = [...peak.ours, ...peak.knot, ...peak.floor]
  const n = `${f0(ctx.domains)} domains`
  ctx.table.add({
    n: '11a',
    figure: 'DNS queries/s at saturation (UDP)',
    setup: `${n}; dnsperf -c ${CLIENTS} -q ${OUTSTANDING}`,
    ours: `${f0(qps.ours)} q/s`,
    ref: `knot ${f0(qps.knot)} q/s; Node floor ${f0(qps.floor)} q/s`,
    ratio,
    target: '>= 0.5x knot',
    ok: ratio >= 0.5,
    from: all3,
  })
  const cpu = (rs: Run[]) => 1000 * mid(rs, (r) => r.cpuPerReqMs)
  ctx.table.add({
    n: '11b',
    figure: 'DNS server CPU per query, µs (user+sys, peak runs)',
    setup: `${n}; as 11a`,
    ours: `${f1(cpu(peak.ours))} µs`,
    ref: `knot ${f1(cpu(peak.knot))} µs; Node floor ${f1(cpu(peak.floor))} µs`,
    ratio: cpu(peak.ours) / cpu(peak.knot),
    from: all3,
  })
  const lat2 = (rs: Run[]) => `${f2(mid(rs, (r) => r.p50ms))} / ${f2(mid(rs, (r) => r.p99ms))}`
  ctx.table.add({
    n: '11c',
    figure: 'DNS p50 / p99 ms at a fixed rate (UDP)',
    setup: `${n}; dnsperf -Q ${f0(rate)} -v`,
    ours: lat2(lat.ours),
    ref: `knot ${lat2(lat.knot)}`,
    ratio: mid(lat.ours, (r) => r.p99ms) / mid(lat.knot, (r) => r.p99ms),
    from: both(lat),
  })
  const zoneMb = loaded.loaded.rssMb - loaded.before.rssMb
  ctx.table.add({
    n: '11d',
    figure: 'RSS of the DNS server alone with the zone loaded (after GC)',
    setup: `${n}, ${f0(loaded.records)} records`,
    ours: `${f0(loaded.loaded.rssMb)} MB (zone +${f0(zoneMb)} MB); after the runs ${f0(oursRssAfter)} MB, GC'd ${f0(after.rssMb)} MB (heap ${f0(loaded.loaded.heapMb)} -> ${f0(after.heapMb)} MB)`,
    ref: `knot ${f0(knotRss)} MB`,
    ratio: loaded.loaded.rssMb / knotRss,
    // Setup L serves every one of its domains delegated, zone loaded: 4a-4c hold the target.
    target: 'see 4a-4c (L, zone loaded)',
  })
  const mix = `${f0(100 * QUERY_MIX.mtaSts)}% <label>._mta-sts TXT, ${f0(100 * QUERY_MIX.tlsRpt)}% <label>._smtp._tls TXT, ${f0(100 * QUERY_MIX.nxdomain)}% NXDOMAIN (labels never put)`
  ctx.notes.push(
    `11a-d (issue 12): one zone of ${n} (MTA-STS and TLS-RPT TXT for each, BIMI for every 4th: ${f0(loaded.records)} records) built by bench/dns-zone.ts; ours = startDnsServer over that ZoneIndex in a node process of its own (bench/dns-server.ts bundled with esbuild, plain node, RRL off, LOG_LEVEL warn-equivalent); knot ${knotVersion()} loads the same records from a zone file written from zone.all(), with udp-workers ${KNOT_UDP_WORKERS}, tcp-workers 1, background-workers 1, because both servers are pinned to core 0 (taskset) and one core is what each gets; dnsperf on core 1. Node floor: bench/dns-floor.ts, a bare node:dgram server on core 0 that sends each query back with QR set (no decoding, no lookup) through the same socket.send call as ours: Node's own cost per datagram. ${SAMPLE + 1} sample names got the same rcode, AA flag and TXT data from both${differ ? ` EXCEPT ${differ} (see the log)` : ''}. Query file: ${f0(QUERIES)} names drawn at random (seeded): ${mix}; dnsperf loops over it. Peak runs alternate knot/ours, ${ctx.reps} each, median; "lost" (about -q per run: those in flight when dnsperf stops) are counted as errors. When knot's CPU stays well under 100% at its peak, dnsperf on core 1 is the limit, so 11b (server CPU per query from /proc/<pid>/stat over the run) is the fairer comparison. 11c: dnsperf -Q at ${f0(100 * LATENCY_SHARE)}% of the lower median peak, -v prints each reply's latency (send to receive, dnsperf's clock), p50/p99 over every reply of the run, median of ${ctx.reps} runs. 11d: RSS from process.memoryUsage() after two full GCs, before and after building the zone (its increment is the zone's cost in the product process); knot: VmRSS once it answers.`,
  )
}

function knotVersion(): string {
  const v = spawnSync(knotdBin(), ['-V']).stdout?.toString() ?? ''
  return /version ([\d.]+)/.exec(v)?.[1] ?? '?'
}
