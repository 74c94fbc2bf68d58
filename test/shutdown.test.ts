import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  baseEnv,
  createTenant,
  domainWithPolicy,
  eventually,
  issueDue,
  newDataDir,
  SERVICE_HOST,
  startServer,
  type LogEntry,
} from './helpers/test-server.js'
import { handshake, httpOver, type TlsOk } from './helpers/tls-client.js'
import { SERVE_ARGS } from './helpers/cli.js'

const DOMAIN = 'shutdown.example.org'
const POLICY_BODY = JSON.stringify({
  mode: 'enforce',
  mx: ['mx.shutdown.example.org'],
  maxAge: 86400,
})

interface Child {
  proc: ChildProcess
  dataDir: string
  http: number
  https: number
  logs: LogEntry[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
}

const children: Child[] = []

// After the file, not each test: the tests run at once (each mostly waits on its own process).
afterAll(() => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL')
    rmSync(c.dataDir, { recursive: true, force: true })
  }
})

/** Starts `policyhost serve` as a child process and waits for its `listening` line. */
async function startCli(
  dataDir = newDataDir(),
  onListening?: (p: ChildProcess) => void,
): Promise<Child> {
  const proc = spawn(process.execPath, SERVE_ARGS, {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, ...baseEnv(dataDir), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogEntry[] = []
  let stderr = ''
  let buffered = ''
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (buffered + chunk).split('\n')
    buffered = lines.pop()!
    for (const line of lines.filter((l) => l.trim())) {
      logs.push(JSON.parse(line) as LogEntry)
      if (logs.at(-1)?.msg === 'listening') onListening?.(proc)
    }
  })
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    // 'close': the process exited and its output is fully read.
    (resolve) => proc.once('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
  )
  const child: Child = { proc, dataDir, http: 0, https: 0, logs, exited }
  children.push(child)
  const up = await eventually(async () => logs.some((l) => l.msg === 'listening'), 20_000)
  if (!up) throw new Error(`server did not start: ${stderr}`)
  const listening = logs.find((l) => l.msg === 'listening')!
  child.http = listening.http as number
  child.https = listening.https as number
  return child
}

/** A raw HTTP/1.1 request on the HTTP port, written by the caller piece by piece. */
function rawHttp(port: number): Promise<{ socket: Socket; response: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      let text = ''
      socket.setEncoding('utf8').on('data', (c: string) => (text += c))
      const response = new Promise<string>((done) => socket.once('close', () => done(text)))
      resolve({ socket, response })
    })
    socket.once('error', reject)
  })
}

async function api(c: Child, method: string, path: string, token: string, body: string) {
  const { socket, response } = await rawHttp(c.http)
  socket.end(
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  )
  const text = await response
  return { status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }
}

const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(false)))
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  })

const errorsIn = (c: Child) =>
  c.logs.filter((l) => l.level === 'error').map((l) => `${l.msg}: ${String(l.error)}`)

/** After a clean stop: no WAL left to replay, and the database checks out. */
function expectCleanDatabase(dataDir: string): void {
  const db = join(dataDir, 'policyhost.sqlite')
  const wal = `${db}-wal`
  expect(!existsSync(wal) || statSync(wal).size === 0, 'WAL left behind').toBe(true)
  const sqlite = new Database(db, { readonly: true, fileMustExist: true })
  try {
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
  } finally {
    sqlite.close()
  }
}

describe.concurrent('graceful shutdown of `policyhost serve`', () => {
  it('when SIGTERM arrives during a slow request, then new connections are refused, the request completes and the process exits 0', async () => {
    const c = await startCli()
    const tenant = await api(c, 'POST', '/api/v1/tenants', ADMIN_TOKEN, '{"name":"slow"}')
    const { token } = JSON.parse(tenant.body) as { token: string }
    const added = await api(c, 'POST', '/api/v1/domains', token, JSON.stringify({ name: DOMAIN }))
    expect([tenant.status, added.status]).toEqual([201, 201])
    // An idle keep-alive HTTPS connection (one request done) must not hold the shutdown.
    const ca = readFileSync(join(c.dataDir, 'certs', 'local-ca', 'root.pem'), 'utf8')
    let first: TlsOk | undefined
    await eventually(async () => {
      const r = await handshake(c.https, { servername: SERVICE_HOST, ca })
      if (r.ok) first = r
      return r.ok
    }, 5_000)
    if (!first) throw new Error('the service host never got a certificate')
    const idle = first
    expect((await httpOver(idle.socket, SERVICE_HOST, '/healthz')).status).toBe(200)
    const idleClosed = new Promise<void>((resolve) => idle.socket.once('close', () => resolve()))
    const slow = await rawHttp(c.http)
    const half = Math.floor(POLICY_BODY.length / 2)
    slow.socket.write(
      `PUT /api/v1/domains/${DOMAIN}/mta-sts HTTP/1.1\r\nHost: localhost\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${POLICY_BODY.length}\r\n\r\n${POLICY_BODY.slice(0, half)}`,
    )
    await new Promise((r) => setTimeout(r, 200))

    c.proc.kill('SIGTERM')

    expect(
      await eventually(async () => (await refuses(c.http)) && (await refuses(c.https)), 5_000),
    ).toBe(true)
    await idleClosed
    expect(c.proc.exitCode).toBeNull()
    slow.socket.end(POLICY_BODY.slice(half))
    const response = await slow.response
    const answered = Date.now()
    expect(response).toMatch(/^HTTP\/1\.1 200 /)
    expect(response).toContain('mx: mx.shutdown.example.org')
    const exit = await c.exited
    expect(exit).toMatchObject({ code: 0, signal: null })
    expect(exit.at - answered).toBeLessThan(3_000)
    expect(c.logs.at(-1)?.msg).toBe('stopped')
    expect(errorsIn(c)).toEqual([])
    expectCleanDatabase(c.dataDir)
    const stored = new Database(join(c.dataDir, 'policyhost.sqlite'), { readonly: true })
    expect(stored.prepare('SELECT mode FROM mta_sts_policies').all()).toEqual([{ mode: 'enforce' }])
    stored.close()
  })

  it('when SIGINT arrives, then the process stops cleanly and exits 0', async () => {
    const c = await startCli()

    c.proc.kill('SIGINT')

    expect(await c.exited).toMatchObject({ code: 0, signal: null })
    expect(c.logs.at(-1)?.msg).toBe('stopped')
    expect(errorsIn(c)).toEqual([])
    expectCleanDatabase(c.dataDir)
  })

  it('when a client is connected but has sent nothing yet, then SIGTERM still exits within 5 s', async () => {
    const c = await startCli()
    const silent = await rawHttp(c.http)

    const sent = Date.now()
    c.proc.kill('SIGTERM')
    const exit = await c.exited

    expect(exit).toMatchObject({ code: 0, signal: null })
    expect(exit.at - sent).toBeLessThan(5_000)
    expect(await silent.response).toBe('')
    expectCleanDatabase(c.dataDir)
  })

  it('when SIGTERM arrives while the start-up store check runs, then no work runs after `stopped`', async () => {
    // Many stored certificates make the background check of the store take a while.
    const s = await startServer()
    const { token } = await createTenant(s, 'many')
    const policy = { mode: 'testing', mx: ['mx.example.org'], maxAge: 86400 }
    for (let i = 0; i < 50; i++) await domainWithPolicy(s, token, `d${i}.many.example.org`, policy)
    await issueDue(s)
    await s.close({ keepData: true })

    const c = await startCli(s.dataDir, (proc) => proc.kill('SIGTERM'))
    const exit = await c.exited

    expect(exit).toMatchObject({ code: 0, signal: null })
    expect(errorsIn(c)).toEqual([])
    expect(c.logs.at(-1)?.msg).toBe('stopped')
    expectCleanDatabase(c.dataDir)
  })
})
