/**
 * Route tests' world: the runtime opened as the server opens it (real store: a SQLite file in a
 * temp dir, or with TEST_STORE=postgres a PostgreSQL database of its own; migrations, services,
 * snapshot, logo cache), tenant work in-process, and the HTTP application from createApp()
 * called through app.request() — no listener, no socket, no TLS. Answers have the shape
 * test-server.ts gives, so a test reads the same either way. Real sockets stay for what a socket
 * is the point of: TLS and SNI, the policy fast path, peers, limits, shutdown.
 */
import { rmSync } from 'node:fs'
import { loadConfig } from '../../src/config.js'
import type { Clock } from '../../src/core/ports.js'
import { createApp, type Listener } from '../../src/http/app.js'
import { httpDepsOf } from '../../src/runtime/http-deps.js'
import { openRuntime, systemClock, type Runtime } from '../../src/runtime/open.js'
import { HealthMonitor } from '../../src/services/engines/health.js'
import {
  baseEnv,
  encodeRequest,
  issueDue,
  logEntries,
  newDataDir,
  type LogEntry,
  type RequestOptions,
  type TestResponse,
} from './test-server.js'
import { storeReader, testStoreEnv, type StoreReader } from './server-store.js'

export interface TestApp extends StoreReader {
  runtime: Runtime
  dataDir: string
  /** The app's PostgreSQL database; null on SQLite. */
  databaseUrl: string | null
  /** Its store variables (DATABASE_URL, SECRETS_KEY; none on SQLite), for another runtime. */
  storeEnv: Record<string, string>
  health: HealthMonitor
  /** The raw log lines. */
  logs: string[]
  logged(msg?: string): LogEntry[]
  /** As TestServer.request; `https` and `servername` have no meaning without a socket. */
  request(
    method: string,
    path: string,
    opts?: Omit<RequestOptions, 'https' | 'servername'>,
  ): Promise<TestResponse>
  close(): Promise<void>
}

export interface AppOptions {
  env?: Record<string, string>
  clock?: Clock
  /** Which listener's application: 'https' (the default) or 'http'. */
  listener?: Listener
}

export async function startApp(opts: AppOptions = {}): Promise<TestApp> {
  const dataDir = newDataDir()
  const logs: string[] = []
  const store = await testStoreEnv(opts.env)
  const config = loadConfig({ ...baseEnv(dataDir), ...store.env, ...opts.env })
  const runtime = await openRuntime(config, {
    logSink: (line) => logs.push(line),
    oneShot: true,
    ...(opts.clock ? { clock: opts.clock } : {}),
  })
  await runtime.snapshot.refresh()
  const health = new HealthMonitor(
    {
      listening: () => true,
      database: runtime.store.probe,
      scheduler: () => null,
      workers: () => null,
      dns: () => null,
      policies: () => runtime.snapshot.size,
    },
    opts.clock ?? systemClock,
  )
  health.snapshotLoaded()
  const app = createApp(httpDepsOf(runtime, health), opts.listener ?? 'https')
  const reader = storeReader(dataDir, store.databaseUrl)
  return {
    runtime,
    dataDir,
    databaseUrl: store.databaseUrl,
    storeEnv: store.env,
    health,
    logs,
    sql: reader.sql,
    audit: reader.audit,
    logged: (msg) => logEntries(logs, msg),
    async request(method, path, o = {}) {
      const { headers, body } = encodeRequest(o)
      const res = await app.request(path, { method, headers, body })
      const bytes = Buffer.from(await res.arrayBuffer())
      const text = bytes.toString('utf8')
      return {
        status: res.status,
        headers: Object.fromEntries(res.headers),
        text,
        bytes,
        json: () => JSON.parse(text),
      }
    },
    async close() {
      await runtime.close()
      await reader.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * The well-known policy as the HTTPS application answers it for `host` (Host only: no SNI, no
 * handshake), certificates due issued first as fetchPolicy does. Whether a certificate is
 * offered at all, and the node-level fast path, are the socket's (fetchPolicy).
 */
export async function servedPolicy(
  app: TestApp,
  host: string,
  method = 'GET',
): Promise<TestResponse> {
  await issueDue(app)
  return app.request(method, '/.well-known/mta-sts.txt', { host })
}
