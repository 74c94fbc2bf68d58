import { afterEach, describe, expect, it } from 'vitest'
import { migrateDatabase, openDatabase } from '../db/database.js'
import { leaseRepo } from '../db/repos/leases.js'
import { createLogger } from '../log/logger.js'
import { startScheduler, type Job, type Scheduler } from './cron.js'

let scheduler: Scheduler | undefined
afterEach(async () => {
  await scheduler?.stop()
  scheduler = undefined
})

/** A scheduler over `jobs` whose log lines land in the returned array. */
function start(jobs: Job[]): { s: Scheduler; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = []
  const log = createLogger('debug', (line) => logs.push(JSON.parse(line)))
  scheduler = startScheduler(jobs, log)
  return { s: scheduler, logs }
}

const hourly = (name: string, run: () => Promise<unknown>): Job => ({
  name,
  schedule: '0 * * * *',
  run,
})

describe('scheduler bookkeeping', () => {
  it('when a job has not run yet, then it reports no runs and its next tick', () => {
    const { s } = start([hourly('quiet', async () => undefined)])

    const [job] = s.status().jobs

    expect(s.status().running).toBe(true)
    expect(job).toMatchObject({
      name: 'quiet',
      running: false,
      lastStartedAt: null,
      lastFinishedAt: null,
      lastOk: null,
      lastError: null,
    })
    expect(job!.nextRunAt!.getTime()).toBeGreaterThan(Date.now())
    expect(job!.nextRunAt!.getUTCMinutes()).toBe(0)
  })

  it('when a job throws, then its status keeps a short cause, and only the log has the message', async () => {
    const secret = 'EACCES: permission denied, open /data/certs/tenant.example/key.pem'
    const { s, logs } = start([
      hourly('fails', async () => {
        throw Object.assign(new Error(secret), { code: 'EACCES' })
      }),
    ])

    await s.runNow('fails')
    const [job] = s.status().jobs

    expect(job).toMatchObject({ running: false, lastOk: false })
    expect(job!.lastError).toEqual({ at: expect.any(Date), cause: 'EACCES' })
    expect(JSON.stringify(s.status())).not.toContain('permission denied')
    expect(logs.filter((l) => l.msg === 'job_failed')).toMatchObject([
      { job: 'fails', error: secret },
    ])
  })

  it('when a failed job later succeeds, then it is ok again and the last failure is still shown', async () => {
    let fail = true
    const { s } = start([
      hourly('flaky', async () => {
        if (fail) throw new TypeError('x')
      }),
    ])

    await s.runNow('flaky')
    fail = false
    await s.runNow('flaky')
    const [job] = s.status().jobs

    expect(job).toMatchObject({ lastOk: true, lastError: { cause: 'TypeError' } })
    expect(job!.lastFinishedAt!.getTime()).toBeGreaterThanOrEqual(job!.lastStartedAt!.getTime())
  })

  it('when a job is running, then it shows as running and a second run joins the first', async () => {
    let release!: () => void
    let runs = 0
    const { s } = start([
      hourly('slow', () => {
        runs++
        return new Promise<void>((r) => (release = r))
      }),
    ])

    const first = s.runNow('slow')
    const second = s.runNow('slow')
    await new Promise((r) => setTimeout(r, 10))
    expect(s.status().jobs[0]!.running).toBe(true)
    release()
    await Promise.all([first, second])

    expect(runs).toBe(1)
    expect(s.status().jobs[0]).toMatchObject({ running: false, lastOk: true })
  })

  it('when the schedule ticks, then the run is kept with its start and next tick', async () => {
    const { s } = start([{ name: 'every-second', schedule: '* * * * * *', run: async () => 1 }])

    const until = Date.now() + 3_000
    while (s.status().jobs[0]!.lastFinishedAt === null && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50))
    const [job] = s.status().jobs

    expect(job!.lastOk).toBe(true)
    expect(job!.nextRunAt!.getTime()).toBeGreaterThan(job!.lastStartedAt!.getTime())
  })

  it('when the scheduler stops, then it reports not running and refuses runs', async () => {
    const { s } = start([hourly('any', async () => undefined)])

    await s.stop()

    expect(s.status().running).toBe(false)
    await expect(s.runNow('any')).rejects.toThrow('stopped')
  })
})

describe('cluster-wide job leases (issue 15)', () => {
  /** Two instances' schedulers over one store's leases. */
  function twoInstances(jobs: (instance: string) => Job[]) {
    const open = openDatabase(':memory:')
    migrateDatabase(open)
    const repo = leaseRepo(open.db)
    const log = createLogger('error', () => {})
    const a = startScheduler(jobs('a'), log, () => new Date(), { repo, owner: 'a' })
    const b = startScheduler(jobs('b'), log, () => new Date(), { repo, owner: 'b' })
    return {
      a,
      b,
      repo,
      close: async () => (await Promise.all([a.stop(), b.stop()]), open.close()),
    }
  }

  it('when both instances tick a leased job, then it runs on one of them only, that period', async () => {
    const ran: string[] = []
    const w = twoInstances((i) => [hourly('checks', async () => void ran.push(i))])
    await Promise.all([w.a.runNow('checks'), w.b.runNow('checks')])
    expect(ran).toHaveLength(1)
    // The other's later tick in the same period (its random delay) finds the lease held too.
    await (ran[0] === 'a' ? w.b : w.a).runNow('checks')
    await w.close()
    expect(ran).toHaveLength(1)
  })

  it('when a job runs per instance, then every instance runs it', async () => {
    const ran: string[] = []
    const w = twoInstances((i) => [
      { ...hourly('zone-heartbeat', async () => void ran.push(i)), perInstance: true },
    ])
    await Promise.all([w.a.runNow('zone-heartbeat'), w.b.runNow('zone-heartbeat')])
    await w.close()
    expect(ran.sort()).toEqual(['a', 'b'])
  })

  it('when the holder dies mid-run, then the lease passes on only once it expires', async () => {
    const w = twoInstances(() => [])
    const t0 = new Date()
    const held = await w.repo.acquire(
      'alerts',
      'dead-instance',
      t0,
      new Date(t0.getTime() + 60_000),
    )
    expect(held).not.toBeNull()
    let ran = 0
    const log = createLogger('error', () => {})
    const c = startScheduler(
      [{ ...hourly('alerts', async () => void ran++) }],
      log,
      () => new Date(),
      { repo: w.repo, owner: 'c' },
    )
    await c.runNow('alerts')
    expect(ran).toBe(0)
    const later = startScheduler(
      [{ ...hourly('alerts', async () => void ran++) }],
      log,
      () => new Date(t0.getTime() + 61_000),
      { repo: w.repo, owner: 'c' },
    )
    await later.runNow('alerts')
    await Promise.all([c.stop(), later.stop()])
    await w.close()
    expect(ran).toBe(1)
  })
})
