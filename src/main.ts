/**
 * Composition root: config → database (migrated) → adapters → services → HTTP listener and
 * background jobs. The CLI calls openRuntime() for one-shot commands and serve() for the server.
 * Nothing else in src/ builds adapters.
 */
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { serve as honoServe, type ServerType } from '@hono/node-server'
import type { Server } from 'node:http'
import type { Config } from './config.js'
import type { Clock, Logger } from './core/ports.js'
import { SYSTEM_ACTOR } from './core/actor.js'
import { newId, newSecret, sha256Hex } from './adapters/crypto/secrets.js'
import { migrateDatabase, openDatabase, type OpenDb } from './adapters/db/database.js'
import { sqliteRepos } from './adapters/db/repos.js'
import { readPolicyDir } from './adapters/fs/policy-files.js'
import { createLogger, type LogSink } from './adapters/log/logger.js'
import { startScheduler, type Scheduler } from './adapters/scheduler/cron.js'
import { createApp } from './http/app.js'
import type { ServiceDeps } from './services/deps.js'
import { PolicySnapshot } from './services/policy-snapshot.js'
import { removeDueDomains } from './services/retire-domain.js'
import { syncPolicyFiles, type SyncOutcome } from './services/sync.js'
import { bootstrapOperatorToken } from './services/tokens.js'

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version

export interface RuntimeOptions {
  clock?: Clock
  logSink?: LogSink
}

export interface Runtime {
  config: Config
  deps: ServiceDeps
  snapshot: PolicySnapshot
  log: Logger
  db: OpenDb
  close(): void
}

const systemClock: Clock = { now: () => new Date() }

/** Opens and migrates the database and wires the services; no listener, no job. */
export async function openRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = createLogger(config.LOG_LEVEL, opts.logSink)
  const db = openDatabase(config.dbPath)
  migrateDatabase(db)
  const repos = sqliteRepos(db)
  const snapshot = new PolicySnapshot(repos.snapshot, log)
  const deps: ServiceDeps = {
    repos,
    clock: opts.clock ?? systemClock,
    log,
    newId,
    newSecret,
    sha256Hex,
    serviceHost: config.SERVICE_HOST,
    onChange: () => snapshot.refresh(),
  }
  if (config.ADMIN_TOKEN) await bootstrapOperatorToken(deps, config.ADMIN_TOKEN)
  return { config, deps, snapshot, log, db, close: () => db.close() }
}

/** Applies `dir` (the policies/ folder) and logs each file's outcome. */
export async function syncDir(rt: Runtime, dir: string): Promise<SyncOutcome[]> {
  const outcomes = await syncPolicyFiles(rt.deps, SYSTEM_ACTOR, await readPolicyDir(dir))
  for (const o of outcomes) {
    const fields = { path: o.path, domain: o.domain, result: o.result, error: o.error }
    if (o.result === 'error') rt.log.warn('policy_file', fields)
    else rt.log.info('policy_file', fields)
  }
  return outcomes
}

export interface RunningServer {
  httpPort: number
  runtime: Runtime
  /** Stops accepting, finishes in-flight requests, stops jobs, closes the database. */
  close(): Promise<void>
}

/** Starts the listener and the background jobs on an opened runtime. */
export async function serve(rt: Runtime): Promise<RunningServer> {
  const { config, log } = rt
  if (config.POLICIES_DIR) await syncPoliciesAtStart(rt, config.POLICIES_DIR)
  await rt.snapshot.refresh()
  const app = createApp({
    services: rt.deps,
    policies: rt.snapshot,
    serviceHost: config.SERVICE_HOST,
    bodyLimit: config.API_BODY_LIMIT,
    policyCacheSeconds: config.POLICY_CACHE_SECONDS,
    log,
    newId,
    version: VERSION,
  })
  const server = await listen(app.fetch, config.HTTP_PORT, config.BIND_ADDRESS)
  const httpPort = (server.address() as AddressInfo).port
  const poll = setInterval(() => {
    rt.snapshot
      .poll()
      .catch((err: Error) => log.error('snapshot_poll_failed', { error: err.message }))
  }, config.SNAPSHOT_POLL_SECONDS * 1000)
  poll.unref()
  const jobs: Scheduler = startScheduler(
    [
      {
        name: 'remove-retired-domains',
        schedule: '* * * * *',
        run: () => removeDueDomains(rt.deps),
      },
    ],
    log,
  )
  log.info('listening', { http: httpPort, serviceHost: config.SERVICE_HOST, version: VERSION })
  return {
    httpPort,
    runtime: rt,
    async close() {
      clearInterval(poll)
      await jobs.stop()
      await closeServer(server as Server)
      rt.close()
      log.info('stopped')
    },
  }
}

async function syncPoliciesAtStart(rt: Runtime, dir: string): Promise<void> {
  try {
    await syncDir(rt, dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') rt.log.info('policies_dir_absent', { dir })
    else throw err
  }
}

function listen(fetch: Parameters<typeof honoServe>[0]['fetch'], port: number, hostname: string) {
  return new Promise<ServerType>((resolve, reject) => {
    const server = honoServe({ fetch, port, hostname }, () => resolve(server))
    server.once('error', reject)
  })
}

/** Lets in-flight requests finish; idle keep-alive sockets are closed at once. */
async function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}
