/**
 * The worker pool for tenant work (issue 9 point 2): SVG validation and conversion, mark
 * certificate inspection and TLS-RPT processing run in piscina worker threads, never on the loop
 * that serves policies. Each job has a wall-clock deadline from the moment it starts (the thread
 * is terminated: piscina ends the worker when a running task's signal aborts) and a V8 heap
 * limit (`resourceLimits`). Jobs wait in one queue per tenant, taken round-robin, so a tenant
 * with a backlog delays another tenant's job by at most one job per worker.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Piscina } from 'piscina'
import { DomainError } from '../../core/errors.js'
import type { Logger } from '../../core/ports.js'
import { FairQueue } from './fair-queue.js'
import type { Outcome, Task, TaskResults, WorkerJob } from './tasks.js'

export interface WorkerPoolOptions {
  /** Worker threads (WORKERS_TENANT_JOBS). */
  size: number
  /** Deadline of one job once started, ms (WORKER_JOB_TIMEOUT_MS). */
  timeoutMs: number
  /** V8 old-generation heap limit per worker, MB (WORKER_MAX_OLD_MB). */
  maxOldMb: number
  /** Jobs one tenant may have queued or running at once (WORKER_JOBS_PER_TENANT). */
  perTenant: number
  /** Jobs waiting for a worker, all tenants together (WORKER_QUEUE_MAX). */
  maxQueued: number
  log: Logger
  /**
   * The worker module to load instead of worker.js/worker.ts beside this file: the test
   * harness passes one bundle of worker.ts built at the start of the run, so each thread skips
   * tsx's loader (~0.6 s a thread start under vitest). Same source, same behaviour.
   */
  entry?: string
}

/** A thread loads its modules in 0.1–5 s even on a loaded machine; past this it never will. */
const BOOT_DEADLINE_MS = 30_000

/** Words for the refusals: "the SVG took longer than 5000 ms to convert". */
const LABEL: Record<Task['kind'], { what: string; verb: string }> = {
  convert: { what: 'the SVG', verb: 'convert' },
  validate: { what: 'the logo', verb: 'validate' },
  inspectVmc: { what: 'the mark certificate', verb: 'inspect' },
  tlsrpt: { what: 'the report', verb: 'process' },
  tlsHealth: { what: 'the TLS health view', verb: 'compute' },
  rawText: { what: 'the stored report', verb: 'decompress' },
}

/** Node 20 has Atomics.waitAsync (ES2024); the ES2023 lib does not declare it. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> }
}

interface Job {
  task: Task
  owner: string
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

/**
 * The worker file beside this module: compiled `.js` under dist/, or the TypeScript source
 * under tsx/vitest, where the worker needs tsx's loader to import `.ts` files.
 */
function workerEntry(): { filename: string; execArgv: string[] } {
  const here = import.meta.url
  if (!/\.ts$/.test(new URL(here).pathname)) {
    return { filename: new URL('./worker.js', here).href, execArgv: [] }
  }
  const tsx = pathToFileURL(createRequire(here).resolve('tsx')).href
  return { filename: new URL('./worker.ts', here).href, execArgv: ['--import', tsx] }
}

export class WorkerPool {
  private pool: Piscina<WorkerJob, Outcome> | null = null
  private readonly queue = new FairQueue<Job>()
  private running = 0
  private closing = false

  constructor(private readonly opts: WorkerPoolOptions) {}

  /**
   * Runs `task` for `owner` (a tenant id, or a key for the operator or public intake). Refused
   * with 429 when the owner has WORKER_JOBS_PER_TENANT jobs already, 503 when the queue is full;
   * a job past its deadline or heap limit is killed and refused with 422 naming the limit.
   */
  run<K extends Task['kind']>(
    owner: string,
    task: Extract<Task, { kind: K }>,
    limits: { perOwner?: number } = {},
  ): Promise<TaskResults[K]> {
    const o = this.opts
    const perOwner = limits.perOwner ?? o.perTenant
    if (this.closing) return Promise.reject(shuttingDown())
    if (this.queue.count(owner) >= perOwner) {
      return Promise.reject(
        new DomainError(
          'RATE_LIMITED',
          `${perOwner} jobs of this tenant are already queued or running (WORKER_JOBS_PER_TENANT); retry when one has finished`,
          [],
          { retryAfterSeconds: 1 },
        ),
      )
    }
    // A job waits when every worker is busy; at most WORKER_QUEUE_MAX may wait.
    if (this.running + this.queue.waiting() >= o.size + o.maxQueued) {
      return Promise.reject(
        new DomainError(
          'UNAVAILABLE',
          `the worker queue is full (${o.maxQueued} jobs waiting, WORKER_QUEUE_MAX); retry later`,
          [],
          { retryAfterSeconds: Math.max(1, Math.ceil(o.timeoutMs / 1000)) },
        ),
      )
    }
    return new Promise<TaskResults[K]>((resolve, reject) => {
      this.queue.push(owner, { task, owner, resolve: resolve as (v: unknown) => void, reject })
      this.dispatch()
    })
  }

  /** Jobs running and waiting, for logs and the bench. */
  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.waiting() }
  }

  /**
   * Refuses new jobs, fails waiting ones (503) and terminates the threads whatever they run,
   * so shutdown never waits for tenant work.
   */
  async destroy(): Promise<void> {
    this.closing = true
    for (const job of this.queue.drain()) job.reject(shuttingDown())
    const pool = this.pool
    this.pool = null
    await pool?.destroy()
  }

  private threads(): Piscina<WorkerJob, Outcome> {
    if (this.pool) return this.pool
    const { filename, execArgv } = this.opts.entry
      ? { filename: this.opts.entry, execArgv: [] }
      : workerEntry()
    this.pool = new Piscina<WorkerJob, Outcome>({
      filename,
      execArgv,
      // One thread at first, more when jobs wait: tests and quiet servers start one only.
      minThreads: 1,
      maxThreads: this.opts.size,
      concurrentTasksPerWorker: 1,
      // Linux: worker threads at nice +10, so the serving loop wins a shared core (bench row 9a;
      // @napi-rs/nice, piscina's optional dependency; ignored where it is missing).
      niceIncrement: 10,
      idleTimeout: 60_000,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxOldMb, stackSizeMb: 4 },
    })
    // A thread that cannot even start (a broken install): waiting jobs fail as bugs (500).
    this.pool.on('error', (err: Error) => {
      this.opts.log.error('worker_pool_error', { error: err.message })
      for (const job of this.queue.drain()) job.reject(err)
    })
    return this.pool
  }

  private dispatch(): void {
    if (this.closing) return
    while (this.running < this.opts.size) {
      const job = this.queue.next()
      if (!job) return
      this.running++
      void this.launch(job).finally(() => {
        this.running--
        this.queue.done(job.owner)
        this.dispatch()
      })
    }
  }

  private async launch(job: Job): Promise<void> {
    const { timeoutMs, maxOldMb, log } = this.opts
    const label = LABEL[job.task.kind]
    const abort = new AbortController()
    let timedOut = false
    let neverStarted = false
    let settled = false
    let timer: NodeJS.Timeout | undefined
    let startedAt = Date.now()
    // The deadline starts when the worker starts the job: a thread starting (or replacing a
    // killed one) takes 0.1–1 s, which is not the job's time. The worker flips `started`.
    const started = new Int32Array(new SharedArrayBuffer(4))
    const begun = (Atomics as unknown as AtomicsWaitAsync).waitAsync(started, 0, 0)
    // A thread that cannot start (heap limit too low for the code itself) must not hold the job.
    const boot = setTimeout(() => {
      neverStarted = Atomics.load(started, 0) === 0
      if (neverStarted) abort.abort()
    }, BOOT_DEADLINE_MS)
    void (begun.async ? begun.value : Promise.resolve()).then(() => {
      clearTimeout(boot)
      if (settled || Atomics.load(started, 0) !== 1) return
      startedAt = Date.now()
      log.debug('worker_job_started', { kind: job.task.kind, owner: job.owner })
      timer = setTimeout(() => {
        timedOut = true
        abort.abort()
      }, timeoutMs)
    })
    try {
      const outcome = await this.threads().run({ ...job.task, started }, { signal: abort.signal })
      if (outcome.ok) job.resolve(outcome.value)
      else {
        const r = outcome.refusal
        job.reject(new DomainError(r.code, r.message, r.issues))
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      const fields = { kind: job.task.kind, ms: Date.now() - startedAt }
      if (this.closing) job.reject(shuttingDown())
      else if (neverStarted) {
        log.error('worker_job_not_started', fields)
        job.reject(
          new DomainError(
            'UNAVAILABLE',
            `no worker thread could start to ${label.verb} ${label.what}; retry later`,
            [],
            {
              retryAfterSeconds: 30,
            },
          ),
        )
      } else if (timedOut) {
        log.warn('worker_job_timeout', fields)
        job.reject(
          new DomainError(
            'VALIDATION',
            `${label.what} took longer than ${timeoutMs} ms to ${label.verb} (WORKER_JOB_TIMEOUT_MS)`,
          ),
        )
      } else if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        log.warn('worker_job_out_of_memory', fields)
        job.reject(
          new DomainError(
            'VALIDATION',
            `${label.what} needed more than ${maxOldMb} MB of memory to ${label.verb} (WORKER_MAX_OLD_MB)`,
          ),
        )
      } else {
        // A bug in the task or the pool: the caller answers 500 and logs it.
        job.reject(err)
      }
    } finally {
      settled = true
      // Releases the start waiter when the job never began (shutdown, a thread that failed).
      if (Atomics.compareExchange(started, 0, 0, 2) === 0) Atomics.notify(started, 0)
      clearTimeout(timer)
      clearTimeout(boot)
    }
  }
}

const shuttingDown = () =>
  new DomainError('UNAVAILABLE', 'the server is shutting down; retry shortly', [], {
    retryAfterSeconds: 5,
  })
