/**
 * Pebble (Debian `pebble`, a test ACME CA) on 127.0.0.1:14000 (ACME) and :15000 (management),
 * validating through knot on 127.0.0.1:53. Its issuing root changes on every start, so
 * `rootPemPath` is rewritten after each (re)start.
 */
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs'
import { get } from 'node:https'
import { join } from 'node:path'
import { runOk, startProcess, type Managed } from './processes.js'

export const PEBBLE_ACME_PORT = 14_000
export const PEBBLE_MANAGEMENT_PORT = 15_000

export interface PebbleOptions {
  /** Port pebble's VA connects to for HTTP-01: the port our HTTP listener uses. */
  httpPort: number
  /** Extra environment, overriding the fast, deterministic defaults below. */
  env?: Record<string, string>
  /** Validity of issued certificates in seconds (pebble's default is 5 years). */
  validitySeconds?: number
}

/** No random 0–15 s sleep before validations, no injected badNonce errors. */
const DEFAULT_ENV = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' }

/** GETs an https URL trusting only `ca`; resolves with status and body. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)))
    req.on('error', reject)
  })
}

/** Makes a CA and a certificate for localhost/127.0.0.1 signed by it, for pebble's listeners. */
async function makeListenerCert(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ca = join(dir, 'listener-ca.pem')
  const caKey = join(dir, 'listener-ca.key')
  const key = join(dir, 'listener.key')
  const csr = join(dir, 'listener.csr')
  const cert = join(dir, 'listener.pem')
  const ext = join(dir, 'listener.ext')
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  const opts = { timeoutMs: 15_000 }
  const caSubject = ['-subj', '/CN=policyhost e2e listener CA', '-days', '30']
  await runOk('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', ca, ...caSubject], opts)
  await runOk(
    'openssl',
    ['req', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=localhost'],
    opts,
  )
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  const sign = ['-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-extfile', ext]
  await runOk('openssl', ['x509', '-req', '-in', csr, ...sign, '-out', cert, '-days', '30'], opts)
  return { ca, cert, key }
}

export class Pebble {
  readonly directoryUrl = `https://127.0.0.1:${PEBBLE_ACME_PORT}/dir`
  readonly managementUrl = `https://127.0.0.1:${PEBBLE_MANAGEMENT_PORT}`
  readonly rootPemPath: string
  private process: Managed | undefined

  constructor(
    private readonly workDir: string,
    private readonly configPath: string,
    /** CA of pebble's own API certificate: what an ACME client must trust. */
    readonly listenerCaPath: string,
    private env: Record<string, string>,
  ) {
    this.rootPemPath = join(workDir, 'pebble-root.pem')
  }

  /** Pebble's current issuing root (PEM), for clients verifying issued certificates. */
  rootPem(): string {
    return readFileSync(this.rootPemPath, 'utf8')
  }

  logs(): string {
    return this.process?.logs() ?? ''
  }

  /** A mark for `linesSince` (see Managed.mark). */
  mark(): number {
    return this.process?.mark() ?? 0
  }

  /** Log lines since `mark`, as far as the ring still holds them. */
  linesSince(mark: number): string[] {
    return this.process?.linesSince(mark) ?? []
  }

  /** Starts pebble, waits for its directory, then saves the new issuing root. */
  async start(): Promise<void> {
    const env = { ...process.env, ...DEFAULT_ENV, ...this.env }
    const args = ['-config', this.configPath, '-dnsserver', '127.0.0.1:53']
    this.process = startProcess('pebble', 'pebble', args, { env, cwd: this.workDir })
    const ca = readFileSync(this.listenerCaPath, 'utf8')
    try {
      await this.process.waitFor('ACME directory', async () => {
        return (await httpsGet(this.directoryUrl, ca)).status === 200
      })
      const root = await httpsGet(`${this.managementUrl}/roots/0`, ca)
      if (root.status !== 200 || !root.body.includes('BEGIN CERTIFICATE')) {
        throw new Error(`pebble /roots/0 answered ${root.status}: ${root.body}`)
      }
      writeFileSync(this.rootPemPath, root.body)
    } catch (error) {
      await this.stop()
      throw error
    }
  }

  async stop(): Promise<void> {
    await this.process?.stop()
  }

  /** Restarts with `env` (merged over the defaults; omit to keep the current one): a new root. */
  async restart(env?: Record<string, string>): Promise<void> {
    await this.stop()
    if (env) this.env = env
    await this.start()
  }
}

/** Writes pebble's config and listener certificate under `workDir`, then starts it. */
export async function startPebble(workDir: string, opts: PebbleOptions): Promise<Pebble> {
  const dir = join(workDir, 'pebble')
  mkdirSync(dir, { recursive: true })
  const listener = await makeListenerCert(dir)
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${PEBBLE_ACME_PORT}`,
      managementListenAddress: `127.0.0.1:${PEBBLE_MANAGEMENT_PORT}`,
      certificate: listener.cert,
      privateKey: listener.key,
      httpPort: opts.httpPort,
      tlsPort: 5001,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(opts.validitySeconds !== undefined
        ? { certificateValidityPeriod: opts.validitySeconds }
        : {}),
    },
  }
  const configPath = join(dir, 'pebble-config.json')
  writeFileSync(configPath, JSON.stringify(config, null, 2))
  const pebble = new Pebble(dir, configPath, listener.ca, opts.env ?? {})
  await pebble.start()
  return pebble
}
