/**
 * adapters/scheduler: periodic background work on node-cron (UTC, no overlapping runs). A tick
 * never throws out: failures are logged and the next tick runs as usual.
 */
import cron from 'node-cron'
import type { Logger } from '../../core/ports.js'

export interface Job {
  name: string
  /** Cron expression, evaluated in UTC. */
  schedule: string
  run: () => Promise<unknown>
  /** Spread instances' runs so they do not all hit the database at the same second. */
  maxRandomDelayMs?: number
}

export interface Scheduler {
  stop(): Promise<void>
}

/** Starts every job; stop() prevents further ticks and waits for running ones. */
export function startScheduler(jobs: Job[], log: Logger): Scheduler {
  const running = new Set<Promise<void>>()
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      () => {
        const tick = job
          .run()
          .then(() => undefined)
          .catch((err: Error) => log.error('job_failed', { job: job.name, error: err.message }))
          .finally(() => running.delete(tick))
        running.add(tick)
        return tick
      },
      {
        name: job.name,
        timezone: 'UTC',
        noOverlap: true,
        maxRandomDelay: job.maxRandomDelayMs ?? 0,
        unref: true,
      },
    ),
  )
  return {
    async stop() {
      for (const t of tasks) await t.destroy()
      // A tick already running finishes before the database it uses is closed.
      await Promise.allSettled([...running])
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
