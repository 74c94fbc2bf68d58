/**
 * adapters/scheduler: periodic background work on node-cron (UTC, no overlapping runs). A tick
 * never throws out: failures are logged and the next tick runs as usual. Each job's runs are
 * kept (start, end, last failure, next tick) for the health report.
 */
import cron from 'node-cron'
import { failureCause, type JobObservation } from '../../core/health.js'
import type { LeaseRepo } from '../../core/leases.js'
import type { Logger } from '../../core/ports.js'

export interface Job {
  name: string
  /** Cron expression, evaluated in UTC. */
  schedule: string
  run: () => Promise<unknown>
  /** Spread instances' runs so they do not all hit the database at the same second. */
  maxRandomDelayMs?: number
  /**
   * Every instance runs it (a heartbeat of its own). Otherwise, with leases, one instance per
   * tick across the deployment runs it: the one that takes the job's lease (core/leases.ts).
   */
  perInstance?: boolean
  /** The lease's length: longer than a run may take (default 10 minutes); renewed at a third. */
  leaseMs?: number
}

/** Cluster-wide job leases: the store's and this process's name in them. */
export interface JobLeases {
  repo: LeaseRepo
  owner: string
}

const DEFAULT_LEASE_MS = 10 * 60_000
/** Released this long before the next tick, so that tick finds the lease free. */
const NEXT_TICK_MARGIN_MS = 1000

export interface Scheduler {
  stop(): Promise<void>
  /** What each job did last, for /healthz. */
  status(): { running: boolean; jobs: JobObservation[] }
  /** Runs `name` now, as a tick would (kept, logged); joins the run already going, if any. */
  runNow(name: string): Promise<void>
}

/** Starts every job; stop() prevents further ticks and waits for running ones. */
export function startScheduler(
  jobs: Job[],
  log: Logger,
  now: () => Date = () => new Date(),
  leases?: JobLeases,
): Scheduler {
  let stopped = false
  const entries = jobs.map((job) => {
    const state: JobObservation = {
      name: job.name,
      running: false,
      lastStartedAt: null,
      lastFinishedAt: null,
      lastOk: null,
      lastError: null,
      nextRunAt: null,
      maxDelayMs: job.maxRandomDelayMs ?? 0,
    }
    const entry = { state, current: null as Promise<void> | null, tick }
    /**
     * Runs the job while holding its lease, renewed at a third of its length; when another
     * instance holds it, this tick does nothing. Released to just before the next tick, so an
     * instance whose random delay puts its tick later does not run this period again.
     */
    async function runLeased({ repo, owner }: JobLeases): Promise<void> {
      const ttl = job.leaseMs ?? DEFAULT_LEASE_MS
      const lease = await repo.acquire(job.name, owner, now(), new Date(now().getTime() + ttl))
      if (lease === null) {
        log.debug('job_leased_elsewhere', { job: job.name })
        return
      }
      const renewal = setInterval(() => {
        repo.renew(lease, new Date(now().getTime() + ttl)).then(
          (ours) => ours || log.warn('job_lease_lost', { job: job.name, token: lease.token }),
          (err: Error) => log.warn('job_lease_renew_failed', { job: job.name, error: err.message }),
        )
      }, ttl / 3)
      renewal.unref()
      try {
        await job.run()
      } finally {
        clearInterval(renewal)
        const next = task.getNextRun()
        const hold = Math.max(now().getTime(), (next?.getTime() ?? 0) - NEXT_TICK_MARGIN_MS)
        await repo.release(lease, new Date(hold)).catch((err: Error) => {
          log.warn('job_lease_release_failed', { job: job.name, error: err.message })
        })
      }
    }
    function tick(): Promise<void> {
      if (entry.current) return entry.current
      state.running = true
      state.lastStartedAt = now()
      state.nextRunAt = task.getNextRun()
      entry.current = Promise.resolve()
        .then(() => (leases && !job.perInstance ? runLeased(leases) : job.run()))
        .then(
          () => {
            state.lastOk = true
          },
          (err: Error) => {
            state.lastOk = false
            state.lastError = { at: now(), cause: failureCause(err) }
            log.error('job_failed', { job: job.name, error: err?.message ?? String(err) })
          },
        )
        .finally(() => {
          state.running = false
          state.lastFinishedAt = now()
          entry.current = null
        })
      return entry.current
    }
    const task = cron.schedule(job.schedule, tick, {
      name: job.name,
      timezone: 'UTC',
      noOverlap: true,
      maxRandomDelay: job.maxRandomDelayMs ?? 0,
      unref: true,
    })
    state.nextRunAt = task.getNextRun()
    return Object.assign(entry, { task })
  })
  return {
    async stop() {
      stopped = true
      for (const { task } of entries) await task.destroy()
      // A tick already running finishes before the database it uses is closed.
      await Promise.allSettled(entries.map((e) => e.current))
    },
    status: () => ({ running: !stopped, jobs: entries.map(({ state }) => ({ ...state })) }),
    runNow(name) {
      const entry = entries.find((e) => e.state.name === name)
      if (!entry) return Promise.reject(new Error(`no job named ${name}`))
      if (stopped) return Promise.reject(new Error('the scheduler has stopped'))
      return entry.tick()
    },
  }
}

/** True when `expr` is a valid cron expression. */
export const isValidCron = (expr: string): boolean => cron.validate(expr)

/** Longest day of each month; February counts its leap day, which does come. */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
]

/** A cron list of fixed values (`31` or `4,6,9,11`, months also by name); null if it has ranges or wildcards. */
function fixedList(field: string, names: string[] = []): number[] | null {
  const values = field.split(',').map((v) => {
    const named = names.indexOf(v.toLowerCase())
    if (named >= 0) return named + 1
    return /^\d+$/.test(v) ? Number(v) : NaN
  })
  return values.some(Number.isNaN) ? null : values
}

/**
 * True when `expr` names only dates that do not exist (`0 0 31 2 *`): well-formed, but it would
 * never fire. Only fixed day-of-month and month lists are judged; anything with a range, step
 * or wildcard is left to isValidCron.
 */
export function neverFires(expr: string): boolean {
  const fields = expr.trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6) return false
  const days = fixedList(fields[fields.length - 3] ?? '')
  const months = fixedList(fields[fields.length - 2] ?? '', MONTH_NAMES)
  if (days === null || months === null) return false
  return months.every((m) => days.every((d) => d > (MONTH_DAYS[m - 1] ?? 31)))
}
