/**
 * WORKERS > 1: every core of one machine. The primary opens no store and serves nothing but
 * `/metrics`; it forks the serving processes, which share the HTTP, HTTPS and DNS sockets
 * through node:cluster (on Linux the primary accepts and hands connections out round-robin).
 * Worker 0 runs the scheduled jobs; a worker that dies is replaced under its index (so jobs
 * resume), with a backoff when it keeps dying; SIGTERM or SIGINT drains every worker, then the
 * primary exits.
 */
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client'
import { createLogger } from '../adapters/log/logger.js'
import { listenMetrics, type MetricsListener } from '../adapters/metrics/metrics-server.js'
import type { Config } from '../config.js'
import type { Logger } from '../core/ports.js'
import { bindError } from './listeners.js'
import { openRuntime } from './open.js'
import { serve } from './serve.js'

/** The worker that runs the scheduled jobs (renewals, checks, alerts, pruning…). */
export const JOBS_WORKER = 0
/** A worker that served this long was not crash-looping: its replacement starts at once. */
const STABLE_MS = 10_000
/** A crash loop waits 1 s, doubling to 30 s: slow enough not to spin, quick to recover. */
const BACKOFF_FIRST_MS = 1_000
const BACKOFF_MAX_MS = 30_000

/** Messages between the primary and its workers (prom-client uses the same channel). */
type Message =
  { policyhost: 'index?' } | { policyhost: 'index'; index: number } | { policyhost: 'serving' }

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && 'policyhost' in m
}

/** The metrics answered by the primary: every worker's registry, collected over IPC. */
class ClusterRegistry extends AggregatorRegistry<PrometheusContentType> {
  override metrics(): Promise<string> {
    return this.clusterMetrics()
  }
}

interface Slot {
  worker: Worker | null
  servingSince: number | null
  backoffMs: number
  timer: NodeJS.Timeout | null
}

/**
 * The primary: forks `config.WORKERS` serving processes and keeps them running until SIGTERM or
 * SIGINT; resolves with the exit code once every worker has drained and exited (1 when one
 * failed to start or to stop cleanly).
 */
export async function runPrimary(
  config: Config,
  log: Logger = createLogger(config.LOG_LEVEL),
): Promise<number> {
  const metrics = await listenClusterMetrics(config, log)
  const slots: Slot[] = Array.from({ length: config.WORKERS }, () => ({
    worker: null,
    servingSince: null,
    backoffMs: 0,
    timer: null,
  }))
  const indexOf = new Map<number, number>()
  let anyServed = false
  let stopping = false
  let clean = true
  let finish: (code: number) => void = () => {}
  const finished = new Promise<number>((resolve) => (finish = resolve))

  const fork = (index: number) => {
    const slot = slots[index] as Slot
    slot.timer = null
    const worker = cluster.fork()
    slot.worker = worker
    slot.servingSince = null
    indexOf.set(worker.id, index)
    log.info('worker_started', { index, pid: worker.process.pid })
  }
  const stop = () => {
    if (stopping) return
    stopping = true
    for (const slot of slots) {
      if (slot.timer) clearTimeout(slot.timer)
      slot.timer = null
      // Each worker drains as a single process does (readiness, listeners, jobs, store).
      slot.worker?.process.kill('SIGTERM')
    }
    if (slots.every((s) => s.worker === null)) finish(clean ? 0 : 1)
  }

  cluster.on('message', (worker, message: unknown) => {
    const index = indexOf.get(worker.id)
    if (index === undefined || !isMessage(message)) return
    if (message.policyhost === 'index?') worker.send({ policyhost: 'index', index })
    if (message.policyhost === 'serving') {
      ;(slots[index] as Slot).servingSince = Date.now()
      anyServed = true
    }
  })
  cluster.on('exit', (worker, code, signal) => {
    const index = indexOf.get(worker.id)
    if (index === undefined) return
    indexOf.delete(worker.id)
    const slot = slots[index] as Slot
    slot.worker = null
    const fields = { index, pid: worker.process.pid, code, signal }
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM') clean = false
      log.info('worker_stopped', fields)
      if (slots.every((s) => s.worker === null)) finish(clean ? 0 : 1)
      return
    }
    if (!anyServed) {
      // As a single process does: a start-up failure (a port taken, a bad store) stops it all.
      log.error('worker_failed_to_start', fields)
      clean = false
      stop()
      return
    }
    const servedMs = slot.servingSince === null ? 0 : Date.now() - slot.servingSince
    slot.backoffMs =
      servedMs >= STABLE_MS ? 0 : Math.min(BACKOFF_MAX_MS, slot.backoffMs * 2 || BACKOFF_FIRST_MS)
    log.error('worker_exited', { ...fields, restartInMs: slot.backoffMs })
    slot.timer = setTimeout(() => fork(index), slot.backoffMs)
  })

  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  for (let index = 0; index < slots.length; index++) fork(index)
  log.info('cluster_started', {
    workers: config.WORKERS,
    ...(metrics ? { metrics: metrics.port } : {}),
  })
  const code = await finished
  process.off('SIGTERM', stop)
  process.off('SIGINT', stop)
  await metrics?.close()
  log.info('cluster_stopped', { code })
  return code
}

/**
 * A worker: learns its index from the primary, serves as a single process does (jobs only in
 * worker 0, no `/metrics` listener of its own), and drains on the SIGTERM the primary sends.
 */
export async function serveWorker(config: Config): Promise<number> {
  // Ctrl-C in a terminal signals the whole process group; the primary turns it into the one
  // SIGTERM each worker acts on, so the worker's own SIGINT is ignored.
  process.on('SIGINT', () => {})
  const stopped = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()))
  const index = await askIndex()
  const rt = await openRuntime(config)
  // Answers the primary's collection requests from this process's registry.
  if (rt.metrics) {
    new AggregatorRegistry()
    AggregatorRegistry.setRegistries([rt.metrics.registry])
  }
  const server = await serve(rt, {
    drainDelayMs: config.SHUTDOWN_DRAIN_SECONDS * 1000,
    jobs: index === JOBS_WORKER,
    metricsListener: false,
  })
  send({ policyhost: 'serving' })
  await stopped
  await server.close()
  // The IPC channel (held open by the metrics listener) would otherwise keep the process alive.
  cluster.worker?.disconnect()
  return 0
}

function send(message: Message): void {
  process.send?.(message)
}

function askIndex(): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isMessage(message) || message.policyhost !== 'index') return
      process.off('message', onMessage)
      resolve(message.index)
    }
    process.on('message', onMessage)
    send({ policyhost: 'index?' })
  })
}

async function listenClusterMetrics(config: Config, log: Logger): Promise<MetricsListener | null> {
  if (config.METRICS_PORT === undefined) return null
  const address = config.METRICS_BIND_ADDRESS
  try {
    return await listenMetrics(new ClusterRegistry(), {
      address,
      port: config.METRICS_PORT,
      onError: (err) => log.error('metrics_failed', { error: (err as Error).message }),
    })
  } catch (err) {
    throw bindError('METRICS_PORT', address, config.METRICS_PORT, err)
  }
}
