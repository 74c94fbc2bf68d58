/**
 * bench: the second reference, what a self-hoster would otherwise pick. Debian's caddy (2.6)
 * pinned to the server core with GOMAXPROCS=1, from a JSON config: no admin endpoint, no
 * autosave, no automatic HTTPS, one TLS connection policy with the certificate and key files
 * nginx is given, session tickets off (Go keeps no server-side session cache, so every new
 * connection is a full handshake, as with nginx), HTTP/1.1 only, and the policy bytes as a
 * static response with the same headers as ours. Access logs are off (caddy's default); the
 * process log keeps errors only.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fetchPolicy, freePort } from './server.js'
import { caddyBin, pinServer, sleep, start, stop } from './tools.js'

export interface Caddy {
  child: ChildProcess
  pid: number
  port: number
  stop(): Promise<void>
}

export interface CaddyOptions {
  workDir: string
  chainPem: string
  keyPem: string
  policyText: string
  cacheSeconds: number
  /** SNI = Host the readiness probe uses (the certificate's name). */
  host: string
}

const TAG = 'policyhost-bench'

/** The `caddy run --adapter ''` config: the same bytes, headers and certificate as nginx. */
export function caddyConfig(o: CaddyOptions, dir: string, port: number): unknown {
  return {
    admin: { disabled: true, config: { persist: false } },
    logging: { logs: { default: { level: 'ERROR' } } },
    storage: { module: 'file_system', root: join(dir, 'data') },
    apps: {
      tls: {
        certificates: {
          load_files: [{ certificate: o.chainPem, key: o.keyPem, tags: [TAG] }],
        },
        session_tickets: { disabled: true },
      },
      http: {
        servers: {
          bench: {
            listen: [`127.0.0.1:${port}`],
            protocols: ['h1'],
            automatic_https: { disable: true },
            tls_connection_policies: [
              { certificate_selection: { any_tag: [TAG] }, protocol_min: 'tls1.2' },
            ],
            routes: [
              {
                match: [{ path: ['/.well-known/mta-sts.txt'] }],
                handle: [
                  {
                    handler: 'static_response',
                    status_code: 200,
                    headers: {
                      'Content-Type': ['text/plain; charset=utf-8'],
                      'Cache-Control': [`max-age=${o.cacheSeconds}`],
                      'X-Content-Type-Options': ['nosniff'],
                    },
                    body: o.policyText,
                  },
                ],
                terminal: true,
              },
              { handle: [{ handler: 'static_response', status_code: 404 }] },
            ],
          },
        },
      },
    },
  }
}

export async function startCaddy(o: CaddyOptions): Promise<Caddy> {
  const dir = join(o.workDir, 'caddy')
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const conf = join(dir, 'caddy.json')
  writeFileSync(conf, JSON.stringify(caddyConfig(o, dir, port), null, 2))
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // One P for the Go scheduler: caddy gets one core, as nginx gets one worker.
    GOMAXPROCS: '1',
    // Keeps caddy's data and config folders (and anything it might write) under the bench's.
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
  }
  const argv = pinServer([caddyBin(), 'run', '--config', conf, '--adapter', ''])
  const child = start(argv, { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString()
    if (log.length > 20_000) log = log.slice(-10_000)
  })
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) break
    const r = await fetchPolicy(port, o.host).catch(() => null)
    if (r?.status === 200) {
      return { child, pid: child.pid!, port, stop: () => stop(child, 10_000, 'SIGTERM') }
    }
    await sleep(25)
  }
  await stop(child, 2000)
  writeFileSync(join(dir, 'caddy.log'), log)
  throw new Error(`caddy did not serve the policy on 127.0.0.1:${port}:\n${log.slice(-2000)}`)
}
