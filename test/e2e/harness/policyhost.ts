/**
 * policyhost itself inside the e2e namespace: the real server (openRuntime + serve) in this
 * process on ports 80/443 of the namespace's loopback, issuing from pebble, with an injected
 * clock the tests move. Also the DNS the tests publish (our generator's records, in knot), the
 * admin API over plain HTTP (`Host: localhost`), TLS probes and the report lines.
 */
import { X509Certificate } from 'node:crypto'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type DetailedPeerCertificate } from 'node:tls'
import { loadConfig } from '../../../src/config.js'
import type { CertState } from '../../../src/core/certs/types.js'
import type { Clock } from '../../../src/core/ports.js'
import { openRuntime, serve, type Runtime } from '../../../src/main.js'
import { startKnot, type Knot } from './knot.js'
import { startPebble, type Pebble, type PebbleOptions } from './pebble.js'

export const SERVICE_HOST = 'policyhost.test'
export const ADMIN_TOKEN = 'e2e-operator-token-0123456789abcdef'
export const HTTP_PORT = 80
export const HTTPS_PORT = 443
/**
 * Every name lives in one zone, `test.`: knot is authoritative only and does not chase a CNAME
 * into another zone, so `mta-sts.<d> CNAME policyhost.test.` resolves (for pebble, node:dns and
 * getaddrinfo alike) only when target and alias share a zone — as a recursive resolver would.
 */
const ZONE = 'test'

/** The injected clock: real time plus an offset the tests move forward. */
export class TestClock implements Clock {
  private offsetMs = 0
  now(): Date {
    return new Date(Date.now() + this.offsetMs)
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000
  }
  /** Moves the clock to just after `at` (never backwards). */
  passed(at: Date): void {
    this.offsetMs += Math.max(0, at.getTime() + 1_000 - this.now().getTime())
  }
}

/** The test DNS: the service host's A record plus one BIND fragment per customer domain. */
export class TestDns {
  private readonly fragments = new Map<string, string>()
  constructor(readonly knot: Knot) {}

  /** Publishes `bind` as the domain's records (replacing earlier ones); null unpublishes. */
  async set(domain: string, bind: string | null): Promise<void> {
    if (bind === null) this.fragments.delete(domain)
    else this.fragments.set(domain, bind)
    const own = `${SERVICE_HOST}. 60 IN A 127.0.0.1`
    await this.knot.setZone(ZONE, [])
    await this.knot.setZoneText(ZONE, [own, ...this.fragments.values()].join('\n'))
  }
}

export interface Testbed {
  knot: Knot
  dns: TestDns
  pebble: Pebble
  stop(): Promise<void>
}

/** knot serving the service host, then pebble validating on our HTTP port through it. */
export async function startTestbed(opts: Omit<PebbleOptions, 'httpPort'> = {}): Promise<Testbed> {
  const workDir = mkdtempSync(join(tmpdir(), 'ph-e2e-'))
  const knot = await startKnot(join(workDir, 'knot'))
  const dns = new TestDns(knot)
  const pebble = await dns
    .set(SERVICE_HOST, null)
    .then(() => startPebble(workDir, { httpPort: HTTP_PORT, ...opts }))
    .catch(async (error: unknown) => {
      await knot.stop()
      throw error
    })
  const stop = async () => {
    await pebble.stop()
    await knot.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
  return { knot, dns, pebble, stop }
}

export type LogEntry = Record<string, unknown> & { msg: string }

export interface ApiResponse {
  status: number
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any
}

type HttpOptions = { host?: string; token?: string; json?: unknown }

export interface Policyhost {
  runtime: Runtime
  dataDir: string
  /** The environment overrides it was started with (for a restart on the same data dir). */
  env: Record<string, string>
  clock: TestClock
  logs: string[]
  /** Parsed log lines with message `msg`, optionally only those for `hostname`. */
  logged(msg: string, hostname?: string): LogEntry[]
  /** A request to the plain HTTP listener on 127.0.0.1:80 with the given Host. */
  http(method: string, path: string, o?: HttpOptions): Promise<ApiResponse>
  certState(hostname: string): Promise<CertState | null>
  /** Stops the server; the data dir stays (restart on it, or rm it). */
  close(): Promise<void>
}

/** policyhost in-process on 127.0.0.1:80/443, its certificates from pebble. */
export async function startPolicyhost(o: {
  pebble: Pebble
  clock: TestClock
  dataDir?: string
  env?: Record<string, string>
}): Promise<Policyhost> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'ph-data-'))
  const logs: string[] = []
  const config = loadConfig({
    DATA_DIR: dataDir,
    HTTP_PORT: String(HTTP_PORT),
    HTTPS_PORT: String(HTTPS_PORT),
    BIND_ADDRESS: '127.0.0.1',
    SERVICE_HOST,
    ADMIN_TOKEN,
    POLICIES_DIR: '',
    LOG_LEVEL: 'info',
    ACME_DIRECTORY_URL: o.pebble.directoryUrl,
    ACME_CA_FILE: o.pebble.listenerCaPath,
    DNS_SERVERS: '127.0.0.1',
    // Ticks are driven by the tests (runDue); the cron tick must not race them.
    RENEW_INTERVAL: '0 0 1 1 *',
    ACME_ORDER_TIMEOUT_SECONDS: '30',
    // Domains are verified at creation unless a test opts into DNS proof (issue 9).
    DOMAIN_VERIFICATION: 'off',
    // Checks run when a test asks; background ones would race the tests' own DNS and SMTP.
    CHECKS: 'off',
    MX_PROBE: 'off',
    POLICY_FETCH: 'off',
    ...o.env,
  })
  const runtime = await openRuntime(config, { clock: o.clock, logSink: (l) => logs.push(l) })
  const running = await serve(runtime)
  const ph: Policyhost = {
    runtime,
    dataDir,
    env: o.env ?? {},
    clock: o.clock,
    logs,
    logged: (msg, hostname) =>
      logs
        .map((l) => JSON.parse(l) as LogEntry)
        .filter((e) => e.msg === msg && (hostname === undefined || e.hostname === hostname)),
    http: (method, path, opts = {}) => httpRequest(method, path, opts),
    certState: (hostname) => runtime.deps.repos.certs.get(hostname),
    close: () => running.close(),
  }
  // The start-up tick issues the service host's own certificate: let it finish, so that tests
  // start from a quiet manager (a busy tick swallows the kick of a domain added meanwhile).
  await tickUntil(ph, SERVICE_HOST, (s) => s.status === 'ok' || s.failures > 0, 2)
  return ph
}

function httpRequest(method: string, path: string, o: HttpOptions): Promise<ApiResponse> {
  const headers: Record<string, string> = { host: o.host ?? 'localhost' }
  if (o.token) headers.authorization = `Bearer ${o.token}`
  const body = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json))
  if (body) headers['content-type'] = 'application/json'
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port: HTTP_PORT, method, path, headers, agent: false }
    const req = request(opts, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** An admin API call that must answer `expected`, or the test setup stops with the answer. */
async function call(ph: Policyhost, method: string, path: string, token: string, json?: unknown) {
  const res = await ph.http(method, path, { token, json })
  const expected = method === 'POST' ? 201 : 200
  if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${res.text}`)
  return res
}

/** The operator creates a tenant; returns its token. */
export async function createTenant(ph: Policyhost, name: string): Promise<string> {
  return (await call(ph, 'POST', '/api/v1/tenants', ADMIN_TOKEN, { name })).json().token
}

export type MtaStsPolicy = { mode: string; mx: readonly string[]; maxAge: number }

/** Sets the domain's policy through the API; returns the stored policy (with its id). */
export async function putPolicy(ph: Policyhost, token: string, domain: string, p: MtaStsPolicy) {
  const res = await call(ph, 'PUT', `/api/v1/domains/${domain}/mta-sts`, token, p)
  return res.json() as { id: string; text: string }
}

/** The records our generator emits for the domain, as a BIND fragment, with the policy id. */
export async function bindRecords(ph: Policyhost, token: string, domain: string) {
  const { text } = await call(ph, 'GET', `/api/v1/domains/${domain}/records?format=bind`, token)
  const id = /^_mta-sts\.\S+ IN TXT "v=STSv1; id=([A-Za-z0-9]+)"$/m.exec(text)?.[1]
  return { bind: text, id }
}

/**
 * A tenant adds `domain` with policy `p` and publishes exactly the records our generator emits.
 * The first certificate attempt (kicked by the creation, before any DNS) is awaited first, so
 * it finds no DNS and backs off: issuance then follows the next tick past that backoff.
 */
export async function addPublishedDomain(
  ph: Policyhost,
  dns: TestDns,
  token: string,
  domain: string,
  p: MtaStsPolicy,
): Promise<{ id: string; bind: string }> {
  await call(ph, 'POST', '/api/v1/domains', token, { name: domain })
  await ph.runtime.certs.idle()
  const { id } = await putPolicy(ph, token, domain, p)
  const { bind } = await bindRecords(ph, token, domain)
  await dns.set(domain, bind)
  return { id, bind }
}

/**
 * Runs certificate ticks as the scheduler would, moving the clock past each backoff, until
 * `done(state)` or `maxTicks` ticks; returns the last state and the number of ticks run.
 */
export async function tickUntil(
  ph: Policyhost,
  hostname: string,
  done: (s: CertState) => boolean,
  maxTicks = 5,
): Promise<{ state: CertState | null; ticks: number }> {
  await ph.runtime.certs.idle()
  let state = await ph.certState(hostname)
  let ticks = 0
  while (!(state && done(state)) && ticks < maxTicks) {
    if (state) ph.clock.passed(state.dueAt)
    await ph.runtime.certs.runDue()
    await ph.runtime.certs.idle()
    ticks++
    state = await ph.certState(hostname)
  }
  return { state, ticks }
}

export type Probe =
  /** serial: lower-case hex as in CertState; rootFingerprint: SHA-256 of the chain's root. */
  | { ok: true; serial: string; san: string; authorized: boolean; rootFingerprint: string }
  | { ok: false; error: string }

export const normalSerial = (s: string) => s.toLowerCase().replace(/^0+(?=.)/, '')

/** A new TLS connection to 127.0.0.1:443 with `servername` as SNI, trusting only `ca`. */
export function tlsProbe(servername: string | undefined, ca: string): Promise<Probe> {
  return new Promise((resolve) => {
    const sni = servername === undefined ? {} : { servername }
    const opts = { host: '127.0.0.1', port: HTTPS_PORT, ca, rejectUnauthorized: false, ...sni }
    const socket = connect(opts)
    socket.setTimeout(5_000, () => socket.destroy(new Error('TLS probe timed out')))
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerCertificate(true)
      let root: DetailedPeerCertificate = leaf
      while (root.issuerCertificate && root.issuerCertificate !== root)
        root = root.issuerCertificate
      resolve({
        ok: true,
        serial: normalSerial(leaf.serialNumber),
        san: leaf.subjectaltname ?? '',
        authorized: socket.authorized,
        rootFingerprint: root.fingerprint256,
      })
      socket.end()
    })
    socket.once('error', (err) => resolve({ ok: false, error: err.message }))
  })
}

/** SHA-256 fingerprint of a PEM certificate, in the form node:tls reports. */
export const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256

/** A figure for the closing note: printed, and appended to $PH_E2E_REPORT when set. */
export function report(line: string): void {
  // eslint-disable-next-line no-console
  console.log(`[e2e-report] ${line}`)
  if (process.env.PH_E2E_REPORT) appendFileSync(process.env.PH_E2E_REPORT, `${line}\n`)
}
