/**
 * bench: load generators. wrk (keep-alive, paced, or `Connection: close`) with a Lua script
 * that connects to 127.0.0.1 while keeping the URL's hostname as SNI, picks the Host header per
 * request from a pool, optionally paces requests, and prints its figures as JSON; and the
 * handshake generator in tlsload.ts for full handshakes with a random SNI per connection.
 * Each run reads the server's CPU time, the generator's CPU time and both cores' busy time.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { othersPct } from './report.js'
import { ROOT } from './server.js'
import { coreBusy, coreTimes, counters, pinLoad, runCapture, type Counters } from './tools.js'

export interface LoadSpec {
  port: number
  /** SNI for every wrk connection (wrk cannot vary it). */
  sni: string
  /** Host header per request: `mta-sts.bench<r>.example` with r random in 1..hosts. */
  hosts: number
  conns: number
  seconds: number
  /** wrk: ms between a response and the next request on a connection (pacing); 0 = none. */
  delayMs?: number
  /** wrk: a new connection per request (wrk resumes TLS sessions when the server allows). */
  close?: boolean
}

export interface Run {
  requests: number
  rps: number
  p50ms: number
  p99ms: number
  errors: number
  /** Wall time of the measured window (generator start to exit), s. */
  wallS: number
  serverCpuS: number
  /** Of serverCpuS: user and system time, s. */
  userS: number
  sysS: number
  /** Server read- and write-type system calls per request. */
  readsPerReq: number
  writesPerReq: number
  /** Server CPU per request, ms. */
  cpuPerReqMs: number
  loadCpuS: number
  /** Busy % of core 0 and core 1 during the run. */
  cores: number[]
  /** CPU % (of one core, both cores together) other processes used; medians keep the most. */
  others: number
  /** Full handshakes that were resumptions (tlsload only). */
  resumed?: number
}

function luaScript(s: LoadSpec): string {
  const pool = s.hosts > 1 ? Math.min(20_000, s.hosts * 4) : 1
  return `
local N, POOL, CLOSE, DELAY = ${s.hosts}, ${pool}, ${s.close ? 'true' : 'false'}, ${s.delayMs ?? 0}
function wrk.resolve(host, service)
  wrk.addrs = wrk.lookup("127.0.0.1", service)
end
local reqs = {}
function init(args)
  math.randomseed(os.time())
  for i = 1, POOL do
    local h = N > 1 and string.format("mta-sts.bench%d.example", math.random(1, N)) or "${s.sni}"
    local headers = { Host = h }
    if CLOSE then headers["Connection"] = "close" end
    reqs[i] = wrk.format("GET", "/.well-known/mta-sts.txt", headers)
  end
end
function request() return reqs[math.random(POOL)] end
${
  s.delayMs
    ? 'function delay() return math.floor(DELAY * (0.5 + math.random()) + math.random()) end'
    : ''
}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests":%d,"us":%d,"errors":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`
}

/** CPU of the command run inside `sh`, from the shell's cutime+cstime after it waited. */
const withChildCpu = (argv: string[]) => [
  'sh',
  '-c',
  `"$@"; s=$(cat /proc/$$/stat); set -- \${s##*) }; echo "CHILDCPU $((\${14}+\${15}))"`,
  'sh',
  ...argv,
]

async function measured(
  serverPid: number,
  argv: string[],
): Promise<{ out: string; run: Partial<Run>; c: Counters }> {
  const c0 = counters(serverPid)
  const t0 = coreTimes()
  const w0 = performance.now()
  const out = await runCapture(withChildCpu(pinLoad(argv)))
  const wallS = (performance.now() - w0) / 1000
  const c1 = counters(serverPid)
  const cores = coreBusy(t0, coreTimes())
  const loadCpuS = Number(/CHILDCPU (\d+)/.exec(out)?.[1] ?? 0) / 100
  const c = {
    user: c1.user - c0.user,
    sys: c1.sys - c0.sys,
    syscr: c1.syscr - c0.syscr,
    syscw: c1.syscw - c0.syscw,
  }
  const run = { serverCpuS: c.user + c.sys, userS: c.user, sysS: c.sys, cores, loadCpuS, wallS }
  return { out, run, c }
}

function finish(partial: Partial<Run>, c: Counters, requests: number, seconds: number): Run {
  const n = Math.max(1, requests)
  const r: Run = {
    requests,
    rps: requests / seconds,
    p50ms: 0,
    p99ms: 0,
    errors: 0,
    wallS: seconds,
    serverCpuS: 0,
    userS: 0,
    sysS: 0,
    loadCpuS: 0,
    cores: [],
    ...partial,
    cpuPerReqMs: (1000 * (partial.serverCpuS ?? 0)) / n,
    readsPerReq: c.syscr / n,
    writesPerReq: c.syscw / n,
    others: 0,
  }
  return { ...r, others: othersPct(r) }
}

/** Script files are numbered: runs at once (row 15c3) rewrote one file while a wrk loaded it. */
let scripts = 0

export async function runWrk(serverPid: number, spec: LoadSpec, workDir: string): Promise<Run> {
  const script = join(workDir, `wrk-${process.pid}-${++scripts}.lua`)
  writeFileSync(script, luaScript(spec))
  const url = `https://${spec.sni}:${spec.port}/.well-known/mta-sts.txt`
  const argv = ['wrk', '-t1', `-c${spec.conns}`, `-d${spec.seconds}s`, '--timeout', '5s']
  const { out, run, c } = await measured(serverPid, [...argv, '--latency', '-s', script, url])
  const line = /BENCHJSON (\{.*\})/.exec(out)
  if (!line) throw new Error(`wrk printed no figures:\n${out}`)
  const j = JSON.parse(line[1]!) as Record<string, number>
  const seconds = j.us! / 1e6
  return finish(
    { ...run, p50ms: j.p50! / 1000, p99ms: j.p99! / 1000, errors: j.errors! },
    c,
    j.requests!,
    seconds,
  )
}

/** Full handshakes: a new TLS connection per request, random SNI, never offering a session. */
export async function runHandshakes(serverPid: number, spec: LoadSpec): Promise<Run> {
  const cfg = JSON.stringify({
    port: spec.port,
    sni: spec.sni,
    hosts: spec.hosts,
    conns: spec.conns,
    ms: spec.seconds * 1000,
  })
  const argv = ['node', '--import', 'tsx', join(ROOT, 'bench/tlsload.ts'), cfg]
  const { out, run, c } = await measured(serverPid, argv)
  const line = /BENCHJSON (\{.*\})/.exec(out)
  if (!line) throw new Error(`tlsload printed no figures:\n${out}`)
  const j = JSON.parse(line[1]!) as Record<string, number>
  return finish(
    { ...run, p50ms: j.p50!, p99ms: j.p99!, errors: j.errors!, resumed: j.resumed! },
    c,
    j.requests!,
    j.ms! / 1000,
  )
}
