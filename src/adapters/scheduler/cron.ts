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

/** Starts every job; stop() waits for nothing but prevents further ticks. */
export function startScheduler(jobs: Job[], log: Logger): Scheduler {
  const tasks = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      async () => {
        try {
          await job.run()
        } catch (err) {
          log.error('job_failed', { job: job.name, error: (err as Error).message })
        }
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
    },
  }
}

/** True when `expr` is a valid cron expression. */
export const isValidCron = (expr: string): boolean => cron.validate(expr)
