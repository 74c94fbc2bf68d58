import { request } from 'node:http'
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
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
} from './helpers/test-server.js'

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
    const tls = await s.request('GET', '/readyz', { host: SERVICE_HOST, https: true })

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

  it('when the database probe fails, then /healthz answers 503 down with a short cause and /readyz says why', async () => {
    const s = await started()
    s.runtime.store.sqlite!.sqlite.close()

    const health = await s.request('GET', '/healthz', { host: 'localhost' })
    const ready = await s.request('GET', '/readyz', { host: 'localhost' })

    expect(health.status).toBe(503)
    expect(health.json()).toMatchObject({
      status: 'down',
      checks: {
        database: { ok: false, cause: 'closed' },
        listeners: { ok: true },
      },
    })
    expect(ready.status).toBe(503)
    expect(ready.json()).toEqual({ ready: false, reasons: ['database probe failed (closed)'] })
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
