/**
 * Integration harness: the real server (openRuntime + serve) on an ephemeral loopback port with a
 * real store: a SQLite file in a temp dir, or with TEST_STORE=postgres a fresh PostgreSQL database
 * of its own (issue 15; certificate files stay in the temp dir; see server-store.ts). Requests go
 * through node:http so the Host header is sent exactly as given (case, port, trailing dot). Log
 * lines are captured for assertions.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config.js'
import type { Clock } from '../../src/core/ports.js'
import { openRuntime, serve, type Runtime } from '../../src/main.js'
import { storeReader, testStoreEnv, type StoreReader } from './server-store.js'

export const ADMIN_TOKEN = 'test-operator-token-0123456789abcdef'
export const SERVICE_HOST = 'sts.policyhost.test'
const WORKER_ENTRY = process.env.POLICYHOST_TEST_WORKER_ENTRY

/** A clock tests move by hand. */
export class MutableClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current.getTime())
  }
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000)
  }
}

export interface RequestOptions {
  host?: string
  token?: string
  json?: unknown
  rawBody?: string | Buffer
  headers?: Record<string, string>
  /** Send over HTTPS (SNI from the Host, trusting the local CA) instead of plain HTTP. */
  https?: boolean
  /** SNI name to send instead of the one derived from the Host. */
  servername?: string
}

export interface TestResponse {
  /** 0 when the TLS handshake was refused (see `tlsError`). */
  status: number
  tlsError?: string
  headers: IncomingHttpHeaders
  text: string
  bytes: Buffer
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any
}

export type LogEntry = Record<string, unknown> & { msg: string; level: string }

/** Captured JSON log lines, parsed; only those with message `msg` when given. */
export function logEntries(lines: readonly string[], msg?: string): LogEntry[] {
  return lines
    .map((l) => JSON.parse(l) as LogEntry)
    .filter((e) => msg === undefined || e.msg === msg)
}

export interface StartOptions {
  env?: Record<string, string>
  dataDir?: string
  clock?: Clock
}

export interface TestServer extends StoreReader {
  port: number
  httpsPort: number
  /** The local CA root that signs the server's certificates. */
  rootPem: string
  dataDir: string
  /** The server's PostgreSQL database (kept across restart()); null on SQLite. */
  databaseUrl: string | null
  /** Its store variables (DATABASE_URL, SECRETS_KEY; none on SQLite), for another runtime. */
  storeEnv: Record<string, string>
  logs: string[]
  runtime: Runtime
  /** Parsed log lines, optionally only those with the given message. */
  logged(msg?: string): LogEntry[]
  request(method: string, path: string, opts?: RequestOptions): Promise<TestResponse>
  /** Stops the server; the data dir is removed unless `keepData`. */
  close(opts?: { keepData?: boolean }): Promise<void>
  /** Stops this server and starts a new one on the same data dir. */
  restart(opts?: Omit<StartOptions, 'dataDir'>): Promise<TestServer>
}

/** Environment every test server gets unless overridden. */
export function baseEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    HTTP_PORT: '0',
    HTTPS_PORT: '0',
    // URLs handed out name the service host without a port, as behind a port mapping; the
    // ephemeral listener port is not one a client could be given (test/first-run-urls.test.ts).
    PUBLIC_HTTPS_PORT: '443',
    BIND_ADDRESS: '127.0.0.1',
    SERVICE_HOST,
    ADMIN_TOKEN,
    POLICIES_DIR: '',
    LOG_LEVEL: 'debug',
    // Domains are verified at creation unless a test opts into DNS proof (issue 9).
    DOMAIN_VERIFICATION: 'off',
    // No outgoing SMTP from tests unless one points the probe at its own server, and no
    // background checks (their lookups would leave loopback) unless a test asks (issue 13).
    MX_PROBE: 'off',
    POLICY_FETCH: 'off',
    CHECKS: 'off',
  }
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'policyhost-test-'))
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? newDataDir()
  const logs: string[] = []
  const store = await testStoreEnv(opts.env)
  const config = loadConfig({ ...baseEnv(dataDir), ...store.env, ...opts.env })
  const runtime = await openRuntime(config, {
    logSink: (line) => logs.push(line),
    ...(opts.clock ? { clock: opts.clock } : {}),
    // The worker module bundled once for the run (test/global-setup.ts), when there is one.
    ...(WORKER_ENTRY ? { workerEntry: WORKER_ENTRY } : {}),
  })
  const running = await serve(runtime)
  const port = running.httpPort
  const rootPem = readFileSync(join(config.certsDir, 'local-ca', 'root.pem'), 'utf8')
  const tls = { port: running.httpsPort, ca: rootPem }
  const reader = storeReader(dataDir, store.databaseUrl)
  const server: TestServer = {
    port,
    httpsPort: running.httpsPort,
    rootPem,
    dataDir,
    databaseUrl: store.databaseUrl,
    storeEnv: store.env,
    logs,
    runtime,
    sql: reader.sql,
    audit: reader.audit,
    logged: (msg) => logEntries(logs, msg),
    request: (method, path, ro = {}) => send(ro.https ? tls : { port }, method, path, ro),
    async close({ keepData = false } = {}) {
      await running.close()
      await reader.close()
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
    async restart(next = {}) {
      await server.close({ keepData: true })
      // The same store as before: the data dir, and on PostgreSQL the same database.
      return startServer({ ...next, dataDir, env: { ...store.env, ...next.env } })
    },
  }
  return server
}

/** The SNI name a client derives from a Host value: no port, no trailing dot, lower case. */
function sniOf(host: string): string | undefined {
  const name = host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase()
  return /^[a-z0-9.-]+$/.test(name) && !/^[\d.]+$/.test(name) ? name : undefined
}

/** Headers and body of a test request: Host (localhost unless given), bearer token, JSON or raw. */
export function encodeRequest(o: RequestOptions): {
  headers: Record<string, string>
  body: Buffer | undefined
} {
  const headers: Record<string, string> = { host: o.host ?? 'localhost', ...o.headers }
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`
  let body: Buffer | undefined
  if (o.json !== undefined) {
    body = Buffer.from(JSON.stringify(o.json))
    headers['content-type'] ??= 'application/json'
  } else if (o.rawBody !== undefined) {
    body = Buffer.from(o.rawBody)
  }
  if (body) headers['content-length'] = String(body.byteLength)
  return { headers, body }
}

function send(
  target: { port: number; ca?: string },
  method: string,
  path: string,
  o: RequestOptions,
): Promise<TestResponse> {
  const { headers, body } = encodeRequest(o)
  return new Promise((resolve, reject) => {
    const base = { host: '127.0.0.1', port: target.port, method, path, headers, agent: false }
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        const text = bytes.toString('utf8')
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          bytes,
          json: () => JSON.parse(text),
        })
      })
    }
    const servername = o.servername ?? sniOf(headers.host ?? '')
    const req = target.ca
      ? httpsRequest({ ...base, ca: target.ca, servername }, onResponse)
      : httpRequest(base, onResponse)
    let answered = false
    req.on('response', () => (answered = true))
    req.on('error', (err) => {
      // A refused handshake is an answer too: the server would not serve this name.
      if (target.ca && !answered) {
        resolve({
          status: 0,
          tlsError: err.message,
          headers: {},
          text: '',
          bytes: Buffer.alloc(0),
          json: () => undefined,
        })
      } else reject(err)
    })
    req.end(body)
  })
}

/**
 * What the helpers below ask of a server: its `request`, as startServer's and startApp's
 * (test/helpers/app.ts) both have it.
 */
export interface Requester {
  request(
    method: string,
    path: string,
    opts?: Omit<RequestOptions, 'https' | 'servername'>,
  ): Promise<TestResponse>
}

/** Operator creates a tenant; returns its id and first token. */
export async function createTenant(
  s: Requester,
  name: string,
): Promise<{ id: string; name: string; token: string }> {
  const res = await s.request('POST', '/api/v1/tenants', { token: ADMIN_TOKEN, json: { name } })
  if (res.status !== 201) throw new Error(`tenant ${name}: ${res.status} ${res.text}`)
  return res.json()
}

/** Tenant adds a domain and sets its policy; fails loudly when either step does. */
export async function domainWithPolicy(
  s: Requester,
  token: string,
  name: string,
  policy: { mode: string; mx: string[]; maxAge: number },
): Promise<{ id: string; text: string }> {
  const added = await s.request('POST', '/api/v1/domains', { token, json: { name } })
  if (added.status !== 201) throw new Error(`domain ${name}: ${added.status} ${added.text}`)
  const set = await s.request('PUT', `/api/v1/domains/${name}/mta-sts`, { token, json: policy })
  if (set.status !== 200) throw new Error(`policy ${name}: ${set.status} ${set.text}`)
  return set.json()
}

/**
 * Issues every certificate that is due, as the scheduler would; local CA: milliseconds. The
 * server's own first tick runs after it has checked its stored certificates, in the background:
 * when it has a name in hand, runDue skips that name (`in_flight`), so wait for it and look again
 * (on PostgreSQL that check is slower, and the first HTTPS fetch used to race the issuance).
 */
export async function issueDue(s: { runtime: Runtime }, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs
  for (;;) {
    await s.runtime.certs.idle()
    let busy = false
    await s.runtime.certs.runDue(true, (skip) => (busy ||= skip.reason === 'in_flight'))
    if (!busy) return
    if (Date.now() > until)
      throw new Error(`issueDue: certificates still being issued after ${maxMs} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Fetches the well-known policy over HTTPS like a sender: SNI and Host = `host`. */
export async function fetchPolicy(
  s: TestServer,
  host: string,
  method = 'GET',
): Promise<TestResponse> {
  await issueDue(s)
  return s.request(method, '/.well-known/mta-sts.txt', { host, https: true })
}

/** Polls `check` until it returns true or `ms` pass; returns whether it did. */
export async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if (await check()) return true
    if (Date.now() > until) return false
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** The server refused the TLS handshake: no certificate for that name, nothing served. */
export function expectHandshakeRefused(res: TestResponse, what = ''): void {
  if (res.status !== 0 || !res.tlsError) {
    throw new Error(`${what}: expected a refused TLS handshake, got HTTP ${res.status}`)
  }
}
