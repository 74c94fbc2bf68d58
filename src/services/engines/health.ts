/**
 * The process's health as /healthz and /readyz report it. The composition root passes in probes
 * (listeners, database, scheduler, workers, snapshot size) and tells the monitor what it alone
 * sees happen (the snapshot loaded, a poll failed, shutdown began); the verdict is core/health.
 */
import {
  healthReport,
  readiness,
  type DatabaseProbe,
  type HealthObservation,
  type HealthReport,
  type ListenerName,
  type Readiness,
} from '../../core/health.js'
import type { Clock } from '../../core/ports.js'

export interface HealthProbes {
  /** Whether the listener is bound and accepting; false before it binds and once it closes. */
  listening(listener: ListenerName): boolean
  /** A cheap round trip to the database (`select 1`); never rejects. A Promise, as repositories. */
  database(): Promise<DatabaseProbe>
  scheduler(): HealthObservation['scheduler']
  workers(): HealthObservation['workers']
  /** The delegated zone's server; null when there is none. */
  dns(): HealthObservation['dns']
  /** Policies served from the snapshot. */
  policies(): number
  /** Whether every instance shares the store (HealthObservation.sharedStore). */
  sharedStore?: boolean
}

export class HealthMonitor {
  private loaded = false
  private lastPoll: { at: Date; ok: boolean } | null = null
  private draining = false

  constructor(
    private readonly probes: HealthProbes,
    private readonly clock: Clock,
  ) {}

  /** The snapshot was (re)loaded in full. */
  snapshotLoaded(): void {
    this.loaded = true
  }

  /** A background poll for other processes' changes finished, well or not. */
  snapshotPolled(ok: boolean): void {
    this.lastPoll = { at: this.clock.now(), ok }
  }

  /** Shutdown has begun: readiness fails from now on, before any listener closes. */
  drain(): void {
    this.draining = true
  }

  async report(): Promise<HealthReport> {
    return healthReport(await this.observe(), this.clock.now())
  }

  async readiness(): Promise<Readiness> {
    return readiness(await this.observe())
  }

  private async observe(): Promise<HealthObservation> {
    const p = this.probes
    return {
      listeners: { http: p.listening('http'), https: p.listening('https') },
      database: await p.database(),
      sharedStore: p.sharedStore === true,
      snapshot: { loaded: this.loaded, policies: p.policies(), lastPoll: this.lastPoll },
      scheduler: p.scheduler(),
      workers: p.workers(),
      dns: p.dns(),
      draining: this.draining,
    }
  }
}
