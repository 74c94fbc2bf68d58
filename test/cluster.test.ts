/**
 * WORKERS=2 (issue 15 point 4): real `policyhost serve` processes. One cluster serves the whole
 * file, its tests in order (start-up costs seconds): both workers answer, a killed worker is
 * replaced while fetches go on, SIGTERM drains everything.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { get } from 'node:http'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  baseEnv,
  createTenant,
  domainWithPolicy,
  eventually,
  issueDue,
  SERVICE_HOST,
  startServer,
  type LogEntry,
} from './helpers/test-server.js'
import { handshake, httpOver, type TlsOk } from './helpers/tls-client.js'
import { SERVE_ARGS } from './helpers/cli.js'

const DOMAIN = 'cluster.example.org'
const POLICY = { mode: 'enforce', mx: ['mx.cluster.example.org'], maxAge: 86400 }
const POLICY_HOST = `mta-sts.${DOMAIN}`

interface Cluster {
  proc: ChildProcess
  dataDir: string
  token: string
  ca: string
  http: number
  https: number
  metrics: number
  logs: LogEntry[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

let c: Cluster

beforeAll(async () => {
  // The data (a domain with a policy and its certificate) is made in-process first.
  const s = await startServer()
  const { token } = await createTenant(s, 'cluster')
  await domainWithPolicy(s, token, DOMAIN, POLICY)
  await issueDue(s)
  await s.close({ keepData: true })
  const proc = spawn(process.execPath, SERVE_ARGS, {
    cwd: join(import.meta.dirname, '..'),
    env: {
      ...process.env,
      ...baseEnv(s.dataDir),
      // The store the data was made in: on PostgreSQL, that server's database.
      ...s.storeEnv,
      WORKERS: '2',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogEntry[] = []
  let buffered = ''
  let stderr = ''
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (buffered + chunk).split('\n')
    buffered = lines.pop()!
    for (const line of lines.filter((l) => l.trim())) logs.push(JSON.parse(line) as LogEntry)
  })
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal })),
  )
  const up = await eventually(async () => named(logs, 'listening').length === 2, 30_000)
  if (!up) throw new Error(`the cluster did not start: ${stderr}`)
  const listening = named(logs, 'listening')[0]!
  c = {
    proc,
    dataDir: s.dataDir,
    token,
    ca: readFileSync(join(s.dataDir, 'certs', 'local-ca', 'root.pem'), 'utf8'),
    http: listening.http as number,
    https: listening.https as number,
    metrics: named(logs, 'cluster_started')[0]!.metrics as number,
    logs,
    exited,
  }
}, 60_000)

afterAll(() => {
  if (c && c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL')
  for (const pid of c ? workerPids(c) : []) if (alive(pid)) process.kill(pid, 'SIGKILL')
  if (c) rmSync(c.dataDir, { recursive: true, force: true })
})

const named = (logs: LogEntry[], msg: string) => logs.filter((l) => l.msg === msg)
const workerPids = (cl: Cluster) => named(cl.logs, 'worker_started').map((l) => l.pid as number)

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A TLS connection for the policy host, with one policy fetched over it (kept open). */
async function policyConnection(): Promise<TlsOk> {
  // A connection lost on its way to a worker would hang the handshake: count it as a failure.
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('handshake timed out')), 3_000)
  })
  const r = await Promise.race([handshake(c.https, { servername: POLICY_HOST, ca: c.ca }), timeout])
  clearTimeout(timer)
  if (!r.ok) throw new Error(`handshake: ${r.error.message}`)
  const res = await httpOver(r.socket, POLICY_HOST, '/.well-known/mta-sts.txt')
  if (res.status !== 200 || !res.body.includes('mx: mx.cluster.example.org')) {
    throw new Error(`policy fetch: ${res.status} ${res.body}`)
  }
  return r
}

/** One policy fetch on a new connection, as a sender makes it; null or why it failed. */
async function fetchOnce(): Promise<string | null> {
  try {
    ;(await policyConnection()).close()
    return null
  } catch (err) {
    return (err as Error).message
  }
}

/** The processes among `pids` holding the server side of `sockets` (Linux /proc). */
function ownersOf(sockets: readonly Socket[], pids: readonly number[]): Set<number> {
  const clientPorts = new Set(sockets.map((s) => s.localPort))
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const [, local = '', remote = '', , , , , , , inode = ''] = line.trim().split(/\s+/)
      const port = (address: string) => parseInt(address.split(':').at(-1) ?? '', 16)
      if (port(local) === c.https && clientPorts.has(port(remote))) inodes.add(inode)
    }
  }
  const owners = new Set<number>()
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let link = ''
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue // closed meanwhile
      }
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode !== undefined && inodes.has(inode)) owners.add(pid)
    }
  }
  return owners
}

/** The pids that answered four new connections (round-robin spreads them). */
async function answeringPids(pids: readonly number[]): Promise<Set<number>> {
  const connections = [] as TlsOk[]
  for (let i = 0; i < 4; i++) connections.push(await policyConnection())
  const owners = ownersOf(
    connections.map((t) => t.socket),
    pids,
  )
  for (const t of connections) t.close()
  return owners
}

/** The scheduled jobs /healthz reports, asked on a new connection. */
function jobsOfAnsweringWorker(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const headers = { host: SERVICE_HOST }
    get({ host: '127.0.0.1', port: c.http, path: '/healthz', headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (d: string) => (text += d))
      res.on('end', () => {
        const body = JSON.parse(text) as { checks: { scheduler: { jobs: object } } }
        resolve(Object.keys(body.checks.scheduler.jobs))
      })
    }).once('error', reject)
  })
}

function scrape(): Promise<string> {
  return fetch(`http://127.0.0.1:${c.metrics}/metrics`).then((r) => r.text())
}

const sample = (text: string, series: string): number =>
  Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)

describe('WORKERS=2: one machine, every core', () => {
  it('when two workers serve, then both answer, the primary sums their metrics and worker 0 alone runs the jobs', async () => {
    const pids = workerPids(c)
    expect(new Set(pids).size).toBe(2)

    expect([...(await answeringPids(pids))].sort()).toEqual([...pids].sort())
    for (let i = 0; i < 4; i++) expect(await fetchOnce()).toBeNull()

    const text = await scrape()
    // 8 fetches spread over two workers: only the sum of both registries says 8.
    expect(sample(text, 'policyhost_http_requests_total{host_class="policy",status="2xx"}')).toBe(8)
    // The store's two certificates (service host, policy host) once, not once per worker.
    expect(sample(text, 'policyhost_certificates{state="ok"}')).toBe(2)
    // /healthz lists the answering worker's jobs: all of them in one, none in the other.
    const jobLists = new Set<string>()
    for (let i = 0; i < 6; i++) jobLists.add((await jobsOfAnsweringWorker()).join(','))
    expect([...jobLists].sort()).toEqual(['', expect.stringContaining('renew-certificates')])
  })

  it('when a worker gets SIGINT (a terminal Ctrl-C reaches the group), then it keeps serving', async () => {
    const [first] = workerPids(c)
    process.kill(first!, 'SIGINT')
    await new Promise((r) => setTimeout(r, 300))
    expect(alive(first!)).toBe(true)
    expect(named(c.logs, 'stopped')).toEqual([])
  })

  it('when worker 0 is SIGKILLed, then every fetch still succeeds and a new worker 0 serves', async () => {
    const [victim, survivor] = workerPids(c)
    const failures: string[] = []
    let fetched = 0
    const counted = async () => {
      fetched++
      const failure = await fetchOnce()
      if (failure !== null) failures.push(failure)
    }
    for (let i = 0; i < 3; i++) await counted()

    process.kill(victim!, 'SIGKILL')
    // A connection the primary hands to the worker in the instant it dies, before the primary
    // sees the exit, is lost with it (as with any process killed mid-connection): the fetches
    // resume once the primary has taken the worker out of its round-robin.
    expect(await eventually(async () => named(c.logs, 'worker_exited').length > 0, 5_000)).toBe(
      true,
    )
    const replaced = await eventually(async () => {
      await counted()
      return named(c.logs, 'listening').length === 3
    }, 15_000)

    expect(replaced).toBe(true)
    expect(failures).toEqual([])
    expect(fetched).toBeGreaterThan(3)
    const exited = named(c.logs, 'worker_exited')
    expect(exited).toMatchObject([{ index: 0, pid: victim, signal: 'SIGKILL' }])
    const started = named(c.logs, 'worker_started').at(-1)!
    expect(started.index).toBe(0)
    expect(started.pid).not.toBe(victim)
    const now = [survivor!, started.pid as number]
    expect([...(await answeringPids(now))].sort()).toEqual([...now].sort())
  })

  it('when the primary gets SIGTERM during a request, then the request completes and every process exits, 0', async () => {
    const pids = workerPids(c).filter(alive)
    const body = JSON.stringify({ ...POLICY, mode: 'testing' })
    const half = Math.floor(body.length / 2)
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(c.http, '127.0.0.1', () => resolve(s)).once('error', reject)
    })
    let response = ''
    socket.setEncoding('utf8').on('data', (d: string) => (response += d))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write(
      `PUT /api/v1/domains/${DOMAIN}/mta-sts HTTP/1.1\r\nHost: localhost\r\n` +
        `Authorization: Bearer ${c.token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
    )
    await new Promise((r) => setTimeout(r, 300))

    c.proc.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 300))
    // The rest of the body, without half-closing: node drops the answer to a client that sends
    // FIN before it is written (test/shutdown-inflight.test.ts covers that client).
    socket.write(body.slice(half))
    await closed

    expect(response).toMatch(/^HTTP\/1\.1 200 /)
    expect(response).toContain('mode: testing')
    expect(await c.exited).toMatchObject({ code: 0, signal: null })
    expect(pids.filter(alive)).toEqual([])
    expect(named(c.logs, 'cluster_stopped')).toMatchObject([{ code: 0 }])
    expect(named(c.logs, 'worker_stopped').map((l) => l.code)).toEqual([0, 0])
  })
})
