/**
 * The server process: start, run until SIGTERM or SIGINT, then stop gracefully (readiness
 * fails first for SHUTDOWN_DRAIN_SECONDS, then listeners, jobs and the store close), or with
 * WORKERS > 1 a cluster of such processes.
 */
import cluster from 'node:cluster'
import type { Config } from '../config.js'
import { runPrimary, serveWorker } from './cluster.js'
import { openRuntime } from './open.js'
import { serve } from './serve.js'

/** Serves until SIGTERM or SIGINT; resolves with the exit code once everything has stopped. */
export async function serveUntilSignal(config: Config): Promise<number> {
  // WORKERS > 1: this process forks the serving ones (cluster.ts), which run this same command.
  if (cluster.isWorker) return serveWorker(config)
  if (config.WORKERS > 1) return runPrimary(config)
  const server = await serve(await openRuntime(config), {
    drainDelayMs: config.SHUTDOWN_DRAIN_SECONDS * 1000,
  })
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await server.close()
  return 0
}
