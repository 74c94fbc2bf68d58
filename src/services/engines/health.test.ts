import { describe, expect, it } from 'vitest'
import type { DatabaseProbe } from '../../core/health.js'
import { HealthMonitor, type HealthProbes } from './health.js'

const AT = new Date('2026-12-05T12:00:00Z')
const clock = { now: () => new Date(AT.getTime()) }

/** Probes that report everything up unless a test changes them. */
function probes(over: Partial<HealthProbes> = {}): HealthProbes {
  return {
    listening: () => true,
    database: async (): Promise<DatabaseProbe> => ({ ok: true, ms: 0.1 }),
    scheduler: () => ({ running: true, jobs: [] }),
    workers: () => null,
    dns: () => null,
    policies: () => 7,
    ...over,
  }
}

describe('health monitor', () => {
  it('when the snapshot has not loaded yet, then not ready; once loaded, ready and ok', async () => {
    const h = new HealthMonitor(probes(), clock)

    expect(await h.readiness()).toEqual({
      ready: false,
      reasons: ['policy snapshot not loaded'],
    })
    h.snapshotLoaded()

    expect(await h.readiness()).toEqual({ ready: true, reasons: [] })
    expect(await h.report()).toMatchObject({
      status: 'ok',
      checks: { snapshot: { loaded: true, policies: 7, lastPoll: null } },
    })
  })

  it('when the database probe fails, then down, and the cause is passed on as given', async () => {
    const h = new HealthMonitor(
      probes({ database: async () => ({ ok: false, cause: 'SQLITE_IOERR' }) }),
      clock,
    )
    h.snapshotLoaded()

    expect((await h.report()).checks.database).toEqual({ ok: false, cause: 'SQLITE_IOERR' })
    expect((await h.report()).status).toBe('down')
    expect((await h.readiness()).reasons).toEqual(['database probe failed (SQLITE_IOERR)'])
  })

  it('when a snapshot poll fails, then degraded with the poll time; a later success clears it', async () => {
    const h = new HealthMonitor(probes(), clock)
    h.snapshotLoaded()

    h.snapshotPolled(false)
    const failed = await h.report()
    h.snapshotPolled(true)
    const recovered = await h.report()

    expect(failed.status).toBe('degraded')
    expect(failed.checks.snapshot.lastPoll).toEqual({ at: AT.toISOString(), ok: false })
    expect(recovered.status).toBe('ok')
    expect(await h.readiness()).toEqual({ ready: true, reasons: [] })
  })

  it('when one listener stops accepting, then down and not ready, naming that listener', async () => {
    const h = new HealthMonitor(probes({ listening: (l) => l === 'http' }), clock)
    h.snapshotLoaded()

    expect(await h.report()).toMatchObject({
      status: 'down',
      checks: { listeners: { ok: false, http: 'accepting', https: 'closed' } },
    })
    expect((await h.readiness()).reasons).toEqual(['https listener not accepting'])
  })

  it('when draining begins, then not ready at once while liveness says degraded', async () => {
    const h = new HealthMonitor(probes(), clock)
    h.snapshotLoaded()

    h.drain()

    expect(await h.readiness()).toEqual({ ready: false, reasons: ['draining'] })
    expect(await h.report()).toMatchObject({ status: 'degraded', draining: true })
  })
})
