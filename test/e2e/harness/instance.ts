/**
 * A `policyhost serve` process of its own (issue 15's instances on one PostgreSQL): spawned
 * through tsx like an operator's service, bound to its own loopback address on ports 80/443,
 * its JSON log kept; killable with SIGKILL, which an in-process server cannot be.
 */
import { mkdtempSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Pebble } from './pebble.js'
import { ADMIN_TOKEN, HTTP_PORT, HTTPS_PORT, SERVICE_HOST } from './policyhost.js'
import { startProcess, type Managed } from './processes.js'

export interface InstanceOptions {
  name: string
  /** 127.0.0.x: its listeners' address. */
  address: string
  databaseUrl: string
  secretsKey: string
  pebble: Pebble
  env?: Record<string, string>
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export interface Instance {
  name: string
  address: string
  proc: Managed
  /** The serving node process (tsx runs it as a child of its own). */
  pid: number
  /** Its name in leases (`host:pid:id`), from its `listening` line. */
  instanceId: string
  /** SIGKILL to the serving process itself, then waits for it to be gone. */
  kill9(): Promise<void>
  /** The admin API over plain HTTP (Host localhost), as the e2e harness calls it. */
  api(method: string, path: string, o?: { token?: string; json?: unknown }): Promise<Reply>
  /** GET https://mta-sts.<domain>/.well-known/mta-sts.txt from this instance, trusting `ca`. */
  policy(domain: string, ca: string): Promise<Reply>
  /** Parsed JSON log lines with `msg`. */
  logged(msg: string): Array<Record<string, unknown>>
}

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx')

export async function startInstance(o: InstanceOptions): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), `ph-${o.name}-`))
  const env = {
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    DATABASE_URL: o.databaseUrl,
    SECRETS_KEY: o.secretsKey,
    HTTP_PORT: String(HTTP_PORT),
    HTTPS_PORT: String(HTTPS_PORT),
    BIND_ADDRESS: o.address,
    SERVICE_HOST,
    ADMIN_TOKEN,
    POLICIES_DIR: '',
    LOG_LEVEL: 'info',
    ACME_DIRECTORY_URL: o.pebble.directoryUrl,
    ACME_CA_FILE: o.pebble.listenerCaPath,
    DNS_SERVERS: '127.0.0.1',
    // Names that resolve to any instance are ours for the preflight.
    PUBLIC_ADDRESSES: '127.0.0.1,127.0.0.2,127.0.0.3',
    ACME_ORDER_TIMEOUT_SECONDS: '10',
    DOMAIN_VERIFICATION: 'off',
    CHECKS: 'off',
    MX_PROBE: 'off',
    POLICY_FETCH: 'off',
    ...o.env,
  }
  const proc = startProcess(o.name, TSX, ['src/cli/index.ts', 'serve'], { env })
  await proc.waitForLog(/"msg":"listening"/, 60_000)
  const lines = () => proc.logs().split('\n')
  const listening = lines().find((l) => l.includes('"msg":"listening"'))!
  const instanceId = String((JSON.parse(listening) as { instance: string }).instance)
  const pid = Number(instanceId.split(':')[1])
  return {
    name: o.name,
    address: o.address,
    proc,
    pid,
    instanceId,
    async kill9() {
      process.kill(pid, 'SIGKILL')
      // tsx, its parent, exits once its child has.
      for (const t0 = Date.now(); proc.running; await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() - t0 > 10_000) throw new Error(`${o.name}: still running after SIGKILL`)
      }
    },
    api: (method, path, r = {}) => {
      const headers: Record<string, string> = { host: 'localhost' }
      if (r.token) headers.authorization = `Bearer ${r.token}`
      const body = r.json === undefined ? undefined : Buffer.from(JSON.stringify(r.json))
      if (body) headers['content-type'] = 'application/json'
      return send(
        httpRequest({ host: o.address, port: HTTP_PORT, method, path, headers, agent: false }),
        body,
      )
    },
    policy: (domain, ca) =>
      send(
        httpsRequest({
          host: o.address,
          port: HTTPS_PORT,
          path: '/.well-known/mta-sts.txt',
          headers: { host: `mta-sts.${domain}` },
          servername: `mta-sts.${domain}`,
          ca,
          agent: false,
          timeout: 5000,
        }),
      ),
    logged: (msg) =>
      lines()
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((e) => e.msg === msg),
  }
}

function send(req: ReturnType<typeof httpRequest>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end(body)
  })
}
