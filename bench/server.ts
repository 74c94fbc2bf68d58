/**
 * bench: our server as a child process (the built `dist/cli/index.js serve`, or src/cli/index.ts through
 * tsx when the build fails), on loopback ports, pinned to the server core; and the HTTPS probe
 * used for readiness, start-up time and the policy bytes nginx is given.
 */
import type { ChildProcess } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { request, type RequestOptions } from 'node:https'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { log, pinServer, runCapture, sleep, start, stop } from './tools.js'

export const ROOT = new URL('..', import.meta.url).pathname

/** `npm run build`; on failure the server runs from src/ through tsx (said in the output). */
export async function buildEntry(): Promise<{ argv: string[]; note: string }> {
  try {
    await runCapture(['npm', 'run', 'build'], { cwd: ROOT })
    return {
      argv: ['node', join(ROOT, 'dist/cli/index.js')],
      note: 'built JS (npm run build; node dist/cli/index.js serve)',
    }
  } catch (err) {
    log(
      `npm run build failed, running src/cli/index.ts through tsx: ${(err as Error).message.split('\n')[0]}`,
    )
    const argv = ['node', '--import', 'tsx', join(ROOT, 'src/cli/index.ts')]
    return { argv, note: 'src/cli/index.ts through tsx (npm run build FAILED)' }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface Ours {
  child: ChildProcess
  pid: number
  httpPort: number
  httpsPort: number
  token: string
  spawnedAt: number
  logPath: string
  stop(): Promise<void>
}

export interface OursOptions {
  entry: string[]
  dataDir: string
  workDir: string
  label: string
  token: string
  logLevel?: 'warn' | 'info'
  /** More settings (e.g. the delegated zone's). */
  env?: Record<string, string>
}

export async function startOurs(o: OursOptions): Promise<Ours> {
  const [httpPort, httpsPort] = [await freePort(), await freePort()]
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    DATA_DIR: o.dataDir,
    HTTP_PORT: String(httpPort),
    HTTPS_PORT: String(httpsPort),
    BIND_ADDRESS: '127.0.0.1',
    SERVICE_HOST: 'localhost',
    ADMIN_TOKEN: o.token,
    POLICIES_DIR: '',
    LOG_LEVEL: o.logLevel ?? 'warn',
    // The bench measures serving, not proof of control: its domains are live at once.
    DOMAIN_VERIFICATION: 'off',
    // The bench needs only loopback: no checker lookups or SMTP probes of its made-up domains.
    CHECKS: 'off',
    MX_PROBE: 'off',
    POLICY_FETCH: 'off',
    ...o.env,
  }
  const logPath = join(o.workDir, `ours-${o.label}.log`)
  const fd = openSync(logPath, 'a')
  const [node, ...rest] = o.entry
  const spawnedAt = performance.now()
  const child = start(pinServer([node!, ...rest, 'serve']), {
    env,
    cwd: o.workDir,
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  return {
    child,
    pid: child.pid!,
    httpPort,
    httpsPort,
    token: o.token,
    spawnedAt,
    logPath,
    stop: () => stop(child),
  }
}

export interface Fetched {
  status: number
  body: string
  reused: boolean
  protocol: string
}

/** The policy URL of `host` on loopback `port`, SNI = Host = `host`, no certificate check. */
export const policyRequest = (
  port: number,
  host: string,
  agent: RequestOptions['agent'],
): RequestOptions => ({
  host: '127.0.0.1',
  port,
  servername: host,
  headers: { host },
  path: '/.well-known/mta-sts.txt',
  rejectUnauthorized: false,
  agent,
})

/** One HTTPS GET with SNI = Host = `host`, no certificate check; `session` offers one. */
export function fetchPolicy(
  port: number,
  host: string,
  session?: Buffer,
): Promise<Fetched & { session?: Buffer }> {
  return new Promise((resolve, reject) => {
    let got: Buffer | undefined
    const options: RequestOptions & { session?: Buffer } = {
      ...policyRequest(port, host, false),
      session,
      timeout: 5000,
    }
    const req = request(options, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      const sock = res.socket as TLSSocket
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          reused: sock.isSessionReused(),
          protocol: sock.getProtocol() ?? '?',
          get session() {
            return got // a TLS 1.3 ticket may arrive after the response
          },
        }),
      )
    })
    req.on('socket', (sock) => sock.on('session', (s: Buffer) => (got = s)))
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

/** Polls until `host` is served with 200; ms since the server was spawned. */
export async function waitPolicy(s: Ours, host: string, maxMs = 120_000): Promise<number> {
  for (;;) {
    const r = await fetchPolicy(s.httpsPort, host).catch(() => null)
    if (r?.status === 200) return performance.now() - s.spawnedAt
    if (performance.now() - s.spawnedAt > maxMs || s.child.exitCode !== null) {
      const tail = existsSync(s.logPath) ? readFileSync(s.logPath, 'utf8').slice(-2000) : ''
      throw new Error(`${host} not served after ${maxMs} ms (status ${r?.status})\n${tail}`)
    }
    await sleep(10)
  }
}

/** Proves once whether a server resumes a TLS session it was offered (ticket or id). */
export async function resumptionCheck(port: number, host: string): Promise<string> {
  const first = await fetchPolicy(port, host)
  await sleep(100)
  if (!first.session) return `no resumption: no ticket or session id issued (${first.protocol})`
  const again = await fetchPolicy(port, host, first.session)
  return again.reused ? `RESUMES (${again.protocol})` : `no resumption (${again.protocol})`
}
