/**
 * bench: the machine side. Installs nginx/wrk/taskset with apt-get when missing, tracks every
 * process the bench starts (so all of them are stopped, whatever happens), and reads the /proc
 * counters the figures come from: CPU time of a process tree, RSS, per-core busy time.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
export const log = (msg: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`)

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0

/**
 * apt-get installs what is missing (Debian, root): nginx, wrk, util-linux (taskset), openssl,
 * for the DNS rows knot (knotd, the reference server) and dnsperf (the load generator), and
 * caddy (the second HTTPS reference), and PostgreSQL 15 for the scale rows (Debian keeps its
 * server binaries off the PATH).
 */
export function ensureTools(): string[] {
  const want: Array<[string, string]> = [
    ['nginx', 'nginx'],
    ['wrk', 'wrk'],
    ['taskset', 'util-linux'],
    ['openssl', 'openssl'],
    ['knotd', 'knot'],
    ['dnsperf', 'dnsperf'],
    ['caddy', 'caddy'],
    ['/usr/lib/postgresql/15/bin/initdb', 'postgresql-15'],
  ]
  const missing = want.filter(([cmd]) => !onPath(cmd) && !existsSync(`/usr/sbin/${cmd}`))
  if (missing.length === 0) return []
  const pkgs = missing.map(([, pkg]) => pkg)
  log(`installing ${pkgs.join(' ')} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const lock = ['-o', 'DPkg::Lock::Timeout=600']
  const run = (args: string[]) => {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env })
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status})`)
  }
  run([...lock, 'update'])
  run([...lock, 'install', '-y', '--no-install-recommends', ...pkgs])
  return pkgs
}

export const nginxBin = () => (onPath('nginx') ? 'nginx' : '/usr/sbin/nginx')
export const knotdBin = () => (onPath('knotd') ? 'knotd' : '/usr/sbin/knotd')
export const caddyBin = () => (onPath('caddy') ? 'caddy' : '/usr/bin/caddy')

/** Two or more cores: the server gets core 0 and the load generator core 1. */
export const PINNED = cpus().length >= 2
export const pinServer = (cmd: string[]) => (PINNED ? ['taskset', '-c', '0', ...cmd] : cmd)
export const pinLoad = (cmd: string[]) => (PINNED ? ['taskset', '-c', '1', ...cmd] : cmd)

const children = new Set<ChildProcess>()

/** Spawns and remembers a process; stopAll() ends whatever is still running. */
export function start(argv: string[], opts: SpawnOptions = {}): ChildProcess {
  const [cmd, ...args] = argv
  const child = spawn(cmd!, args, opts)
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

export const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.once('exit', () => r()))

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stop(c: ChildProcess, graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM') {
  if (c.exitCode !== null || c.signalCode !== null) return
  c.kill(signal)
  const timer = setTimeout(() => c.kill('SIGKILL'), graceMs)
  await exited(c)
  clearTimeout(timer)
}

export function stopAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
}

/** Runs a command to completion and returns its stdout (throws on failure). */
export function runCapture(argv: string[], opts: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = start(argv, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    c.stdout!.on('data', (d: Buffer) => (out += d))
    c.stderr!.on('data', (d: Buffer) => (err += d))
    c.once('error', reject)
    c.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')}: ${code}\n${err}${out}`)),
    )
  })
}

const TICK = 100 // USER_HZ on Linux

function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** utime+stime of one process (all its threads), seconds. */
export function cpuSeconds(pid: number): number {
  const f = statFields(pid)
  return f ? (Number(f[11]) + Number(f[12])) / TICK : 0
}

export interface Counters {
  user: number
  sys: number
  /** read-type and write-type system calls (/proc/<pid>/io syscr, syscw). */
  syscr: number
  syscw: number
}

/** CPU seconds (user, system) and syscall counts of a process tree. */
export function counters(pid: number): Counters {
  const c: Counters = { user: 0, sys: 0, syscr: 0, syscw: 0 }
  for (const p of tree(pid)) {
    const f = statFields(p)
    if (f) {
      c.user += Number(f[11]) / TICK
      c.sys += Number(f[12]) / TICK
    }
    try {
      const io = readFileSync(`/proc/${p}/io`, 'utf8')
      c.syscr += Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0)
      c.syscw += Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0)
    } catch {
      // gone
    }
  }
  return c
}

/** The pid and its descendants (nginx master + workers). */
export function tree(pid: number): number[] {
  const out = [pid]
  for (let i = 0; i < out.length; i++) {
    try {
      const tasks = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, 'utf8')
      out.push(...tasks.split(' ').filter(Boolean).map(Number))
    } catch {
      // gone
    }
  }
  return out
}

export const treeCpu = (pid: number) => tree(pid).reduce((s, p) => s + cpuSeconds(p), 0)

/** Resident set size in MB (sum over the tree). */
export function rssMb(pid: number): number {
  let kb = 0
  for (const p of tree(pid)) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))
    kb += m ? Number(m[1]) : 0
  }
  return kb / 1024
}

/** Per-core [busy, total] jiffies from /proc/stat; busy excludes idle and iowait. */
export function coreTimes(): Array<[number, number]> {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d/.test(l))
    .map((l) => {
      const v = l.split(/\s+/).slice(1, 9).map(Number)
      const total = v.reduce((a, b) => a + b, 0)
      return [total - v[3]! - v[4]!, total]
    })
}

/** Busy % of each core between two coreTimes() readings. */
export const coreBusy = (a: Array<[number, number]>, b: Array<[number, number]>) =>
  b.map(([busy, total], i) => (100 * (busy - a[i]![0])) / Math.max(1, total - a[i]![1]))

/** Waits until `pid` uses under `pct` % of a core over 1 s (max `maxMs`); returns ms waited. */
export async function waitIdle(pid: number, pct = 5, maxMs = 240_000): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    const c0 = treeCpu(pid)
    await sleep(1000)
    if ((treeCpu(pid) - c0) * 100 < pct || Date.now() - t0 > maxMs) return Date.now() - t0
  }
}

export function machineFacts(): string[] {
  const model = cpus()[0]?.model ?? '?'
  const nproc = spawnSync('nproc').stdout?.toString().trim()
  const nginxV = spawnSync(nginxBin(), ['-v']).stderr?.toString().trim()
  const wrkV = spawnSync('wrk', ['-v']).stdout?.toString().split('\n')[0]?.trim()
  return [
    `cores: ${cpus().length} (${model}), nproc: ${nproc}, load average before runs: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `node ${process.version} (${process.versions.openssl}), ${nginxV}, ${wrkV ?? 'wrk ?'}`,
    PINNED
      ? 'pinning: server (ours or nginx) on core 0, load generator on core 1 (taskset)'
      : 'pinning: single core, nothing pinned',
  ]
}
