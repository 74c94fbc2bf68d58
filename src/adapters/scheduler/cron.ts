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
