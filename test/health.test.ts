import { request } from 'node:http'
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { openPostgres } from '../src/adapters/pg/database.js'
import { loadConfig } from '../src/config.js'
import { openRuntime, serve, type RunningServer, type ServeOptions } from '../src/main.js'
import {
  baseEnv,
  issueDue,
  newDataDir,
  SERVICE_HOST,
  startServer,
  type LogEntry,
  type TestServer,
  eventually,
} from './helpers/test-server.js'
import { TEST_STORE } from './helpers/world-store.js'

// `check-domains` only with CHECKS=on (tests run with it off); `alerts` always (issue 13).
const JOBS = [
  'remove-retired-domains',
  'check-domain-claims',
  'renew-certificates',
  'prune-sessions',
  'alerts',
]

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function started(): Promise<TestServer> {
  const s = await startServer()
  cleanups.push(() => s.close())
  return s
}

interface Got {
  status: number
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any
}

interface Booted {
  running: RunningServer
  logs: LogEntry[]
  get(path: string): Promise<Got>
}

/** The real server with serve() options the shared helper does not take. */
async function boot(opts: ServeOptions = {}): Promise<Booted> {
  const dataDir = newDataDir()
  const logs: LogEntry[] = []
  const rt = await openRuntime(loadConfig(baseEnv(dataDir)), {
    logSink: (line) => logs.push(JSON.parse(line) as LogEntry),
  })
  const running = await serve(rt, opts)
  // Closed once, by the test or afterwards.
  const stop = running.close.bind(running)
  let closed: Promise<void> | null = null
  const close = () => (closed ??= stop())
  running.close = close
  cleanups.push(async () => {
    await close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const get = (path: string) =>
    new Promise<Got>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: running.httpPort,
          path,
          headers: { host: 'localhost' },
          agent: false,
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8').on('data', (c: string) => (text += c))
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) }),
          )
        },
      )
      req.on('error', reject)
      req.end()
    })
  return { running, logs, get }
}

describe('/healthz and /readyz', () => {
  it('when the server is up, then /healthz shows both listeners accepting, the database, snapshot and jobs, over HTTP and HTTPS', async () => {
    const s = await started()
    await issueDue(s)

    for (const [host, https] of [
      ['localhost', false],
      [SERVICE_HOST, true],
    ] as const) {
      const res = await s.request('GET', '/healthz', { host, https })
      const body = res.json()

      expect(res.status, host).toBe(200)
      expect(res.headers['cache-control'], host).toBe('no-store')
      expect(body, host).toMatchObject({
        status: 'ok',
        version: expect.any(String),
        policies: 0,
        draining: false,
        checks: {
          listeners: { ok: true, http: 'accepting', https: 'accepting' },
          database: { ok: true, ms: expect.any(Number) },
          snapshot: { ok: true, loaded: true, policies: 0 },
          scheduler: { ok: true, running: true },
          workers: { size: expect.any(Number), running: 0, waiting: 0 },
        },
      })
      expect(Object.keys(body.checks.scheduler.jobs).sort(), host).toEqual([...JOBS].sort())
      expect(body.checks.scheduler.jobs['remove-retired-domains'], host).toMatchObject({
        ok: true,
        overdue: false,
        lastError: null,
        nextRunAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/),
      })
    }
  })

  it('when the server is up, then /readyz answers 200 {ready: true} over HTTP and HTTPS', async () => {
    const s = await started()
    await issueDue(s)

    const plain = await s.request('GET', '/readyz', { host: 'localhost' })
    const overTls = () => s.request('GET', '/readyz', { host: SERVICE_HOST, https: true })
    // On PostgreSQL the certificate reaches the SNI cache by notification, a moment after
    // issueDue returns: a refused handshake is retried for a while.
    let tls = await overTls()
    await eventually(async () => (tls = await overTls()).status !== 0, 5_000)

    for (const res of [plain, tls]) {
      expect(res.status).toBe(200)
      expect(res.json()).toEqual({ ready: true })
      expect(res.headers['cache-control']).toBe('no-store')
    }
  })

  it('when /readyz is asked on a customer name, then 404 as for /healthz', async () => {
    const s = await started()

    const res = await s.request('GET', '/readyz', { host: 'mta-sts.example.org' })

    expect(res.status).toBe(404)
    expect(res.text).not.toContain('ready')
  })

  it('when shutdown begins, then /readyz turns 503 while the listeners still answer, and /healthz stays 200', async () => {
    const b = await boot({ drainDelayMs: 1_500 })
    expect((await b.get('/readyz')).status).toBe(200)

    const closing = b.running.close()
    const ready = await b.get('/readyz')
    const health = await b.get('/healthz')

    expect(ready.status).toBe(503)
    expect(ready.json()).toEqual({ ready: false, reasons: ['draining'] })
    expect(health.status).toBe(200)
    expect(health.json()).toMatchObject({
      status: 'degraded',
      draining: true,
      checks: { listeners: { ok: true, http: 'accepting', https: 'accepting' } },
    })
    await closing
    await expect(b.get('/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('when the database probe fails, then /healthz names a short cause: 503 down and /readyz says why, or on a shared store (PostgreSQL) degraded and still ready', async () => {
    const s = await started()
    s.runtime.store.sqlite?.sqlite.close()
    if (TEST_STORE === 'postgres') await refuseConnections(s)
    const cause = TEST_STORE === 'postgres' ? 'SQLSTATE_55000' : 'closed'

    const health = await s.request('GET', '/healthz', { host: 'localhost' })
    const ready = await s.request('GET', '/readyz', { host: 'localhost' })

    const checks = { database: { ok: false, cause }, listeners: { ok: true } }
    if (TEST_STORE === 'sqlite') {
      expect(health.status).toBe(503)
      expect(health.json()).toMatchObject({ status: 'down', checks })
      expect(ready.status).toBe(503)
      expect(ready.json()).toEqual({ ready: false, reasons: [`database probe failed (${cause})`] })
    } else {
      // A shared store's outage only degrades: the snapshot keeps serving (core/health.ts).
      expect(health.status).toBe(200)
      expect(health.json()).toMatchObject({ status: 'degraded', checks })
      expect(ready.status).toBe(200)
      expect(ready.json()).toEqual({ ready: true })
    }
  })

  it('when a scheduled job throws, then /healthz shows it degraded with its last error as a short cause, never the message', async () => {
    const b = await boot()
    const secret = 'EACCES: permission denied, open /data/certs/tenant.example/key.pem'
    b.running.runtime.certs.runDue = async () => {
      throw Object.assign(new Error(secret), { code: 'EACCES' })
    }

    await b.running.jobs.runNow('renew-certificates')
    const res = await b.get('/healthz')
    const body = res.json()

    expect(res.status).toBe(200)
    expect(body.status).toBe('degraded')
    expect(body.checks.scheduler.ok).toBe(false)
    expect(body.checks.scheduler.jobs['renew-certificates']).toMatchObject({
      ok: false,
      running: false,
      lastStartedAt: expect.any(String),
      lastFinishedAt: expect.any(String),
      lastError: { at: expect.any(String), cause: 'EACCES' },
    })
    expect(body.checks.scheduler.jobs['remove-retired-domains'].ok).toBe(true)
    for (const leak of ['permission denied', '/data/certs', 'tenant.example', 'at '])
      expect(res.text).not.toContain(leak)
    expect(b.logs.filter((l) => l.msg === 'job_failed')).toMatchObject([
      { job: 'renew-certificates', error: secret },
    ])
    // Still serving: readiness does not depend on the jobs.
    expect((await b.get('/readyz')).status).toBe(200)
  })
})

/**
 * PostgreSQL's outage for `s`: its database refuses new connections (SQLSTATE 55000) and the
 * open ones are cut, from the maintenance database (a database cannot refuse its own).
 */
async function refuseConnections(s: TestServer): Promise<void> {
  const url = new URL(s.databaseUrl!)
  const db = decodeURIComponent(url.pathname.slice(1))
  url.pathname = '/postgres'
  const admin = openPostgres(url.toString(), { max: 1 })
  try {
    await admin.pool.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`)
    await admin.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
      [db],
    )
  } finally {
    await admin.close()
  }
  // A terminated backend is gone once PostgreSQL has handled the signal.
  if (!(await eventually(async () => !(await s.runtime.store.probe()).ok, 5_000)))
    throw new Error('the database still answers')
}
