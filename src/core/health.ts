/**
 * The health verdict: what is up (listeners, database, scheduler, snapshot, workers) judged from
 * observations the edges collect. Pure: the probes and the time are arguments.
 * - Liveness (`/healthz`): `down` when the process cannot serve (a listener not accepting, the
 *   database not answering); `degraded` when it serves but something needs a look (a job failed
 *   or is overdue, the last snapshot poll failed, draining); otherwise `ok`.
 * - Readiness (`/readyz`): whether a load balancer should send traffic here.
 */

export type HealthStatus = 'ok' | 'degraded' | 'down'
export type ListenerName = 'http' | 'https'

export type DatabaseProbe = { ok: true; ms: number } | { ok: false; cause: string }

/** One scheduled job as the scheduler saw it. */
export interface JobObservation {
  name: string
  running: boolean
  lastStartedAt: Date | null
  lastFinishedAt: Date | null
  /** Outcome of the last finished run; null before the first one finishes. */
  lastOk: boolean | null
  /** The last failure, kept after a later success so the operator can still see it. */
  lastError: { at: Date; cause: string } | null
  /** The tick after the last start (or after scheduling, before any run). */
  nextRunAt: Date | null
  /** The job's random start delay: a tick may begin this late and still be on time. */
  maxDelayMs: number
}

export interface HealthObservation {
  listeners: Record<ListenerName, boolean>
  database: DatabaseProbe
  /**
   * The store is shared by every instance (PostgreSQL, issue 15). Its outage is then every
   * instance's at once, and each keeps serving policies and certificates from memory: the
   * process is degraded, not down, and stays ready — taking all of them out of rotation would
   * stop the serving that still works.
   */
  sharedStore?: boolean
  snapshot: { loaded: boolean; policies: number; lastPoll: { at: Date; ok: boolean } | null }
  /** null: the scheduler has not started. */
  scheduler: { running: boolean; jobs: JobObservation[] } | null
  /** null: no worker pool (one-shot use). Informational: load is not ill health. */
  workers: { size: number; running: number; waiting: number } | null
  /** The delegated zone (issue 12); null when DNS_ZONE is unset or before it loaded. */
  dns: DnsObservation | null
  /** Shutdown has begun (SIGTERM, close()). */
  draining: boolean
}

/** The zone's server as this process serves it. */
export interface DnsObservation {
  zone: string
  serial: number
  entries: number
  /** Both the UDP and the TCP socket are open. */
  listening: boolean
}

export interface JobReport {
  ok: boolean
  running: boolean
  lastStartedAt: string | null
  lastFinishedAt: string | null
  lastError: { at: string; cause: string } | null
  nextRunAt: string | null
  overdue: boolean
}

export interface HealthReport {
  status: HealthStatus
  draining: boolean
  checks: {
    listeners: { ok: boolean } & Record<ListenerName, 'accepting' | 'closed'>
    database: { ok: true; ms: number } | { ok: false; cause: string }
    snapshot: {
      ok: boolean
      loaded: boolean
      policies: number
      lastPoll: { at: string; ok: boolean } | null
    }
    scheduler: { ok: boolean; running: boolean; jobs: Record<string, JobReport> }
    workers: { size: number; running: number; waiting: number } | null
    dns: (DnsObservation & { ok: boolean }) | null
  }
}

export interface Readiness {
  ready: boolean
  /** Why not, one short phrase each; empty when ready. */
  reasons: string[]
}

/**
 * How late a tick may start before its job counts as overdue, past its schedule and random
 * delay: event-loop stalls and node-cron's missed-tick handling make a few seconds normal, and
 * two minutes flags an every-minute job after three silent minutes without flapping.
 */
export const OVERDUE_GRACE_MS = 120_000

const LISTENERS: ListenerName[] = ['http', 'https']
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString())

/** True when the job's next tick should have started by `now` and has not. */
export function jobOverdue(job: JobObservation, now: Date): boolean {
  if (job.nextRunAt === null) return false
  return now.getTime() > job.nextRunAt.getTime() + job.maxDelayMs + OVERDUE_GRACE_MS
}

function jobReport(job: JobObservation, now: Date): JobReport {
  const overdue = jobOverdue(job, now)
  return {
    ok: !overdue && job.lastOk !== false,
    running: job.running,
    lastStartedAt: iso(job.lastStartedAt),
    lastFinishedAt: iso(job.lastFinishedAt),
    lastError: job.lastError && { at: job.lastError.at.toISOString(), cause: job.lastError.cause },
    nextRunAt: iso(job.nextRunAt),
    overdue,
  }
}

const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.includes('down') ? 'down' : statuses.includes('degraded') ? 'degraded' : 'ok'

/** The `/healthz` verdict and detail for an observation taken at `now`. */
export function healthReport(o: HealthObservation, now: Date): HealthReport {
  const listenersOk = LISTENERS.every((l) => o.listeners[l])
  const jobs = Object.fromEntries((o.scheduler?.jobs ?? []).map((j) => [j.name, jobReport(j, now)]))
  const schedulerOk = (o.scheduler?.running ?? false) && Object.values(jobs).every((j) => j.ok)
  const snapshotOk = o.snapshot.loaded && o.snapshot.lastPoll?.ok !== false
  const status = worst([
    // Listeners close on purpose while draining: that is not a failure.
    listenersOk ? 'ok' : o.draining ? 'degraded' : 'down',
    o.database.ok ? 'ok' : o.sharedStore ? 'degraded' : 'down',
    snapshotOk ? 'ok' : 'degraded',
    schedulerOk || o.draining ? 'ok' : 'degraded',
    o.draining ? 'degraded' : 'ok',
    // A zone that stopped answering while HTTPS still serves: mail still flows on cached ids.
    o.dns === null || o.dns.listening || o.draining ? 'ok' : 'degraded',
  ])
  return {
    status,
    draining: o.draining,
    checks: {
      listeners: {
        ok: listenersOk,
        http: o.listeners.http ? 'accepting' : 'closed',
        https: o.listeners.https ? 'accepting' : 'closed',
      },
      database: o.database.ok
        ? { ok: true, ms: o.database.ms }
        : { ok: false, cause: o.database.cause },
      snapshot: {
        ok: snapshotOk,
        loaded: o.snapshot.loaded,
        policies: o.snapshot.policies,
        lastPoll: o.snapshot.lastPoll && {
          at: o.snapshot.lastPoll.at.toISOString(),
          ok: o.snapshot.lastPoll.ok,
        },
      },
      scheduler: { ok: schedulerOk, running: o.scheduler?.running ?? false, jobs },
      workers: o.workers,
      dns: o.dns && { ...o.dns, ok: o.dns.listening },
    },
  }
}

/**
 * The `/readyz` verdict: both listeners accept, the database answers, the snapshot is loaded
 * and shutdown has not begun. The scheduler is not asked: a late job does not stop serving.
 */
export function readiness(o: HealthObservation): Readiness {
  const reasons: string[] = []
  if (o.draining) reasons.push('draining')
  for (const l of LISTENERS) if (!o.listeners[l]) reasons.push(`${l} listener not accepting`)
  if (!o.database.ok && !o.sharedStore) reasons.push(`database probe failed (${o.database.cause})`)
  if (!o.snapshot.loaded) reasons.push('policy snapshot not loaded')
  return { ready: reasons.length === 0, reasons }
}

/**
 * A short, safe name for a failure, for health output: the error's code (`ENOENT`,
 * `SQLITE_BUSY`, `UPSTREAM`) or its class (`TypeError`); never its message, which may hold
 * paths, hostnames or tenant input.
 */
export function failureCause(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown } | null
  if (typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]{1,39}$/.test(e.code)) return e.code
  if (typeof e?.name === 'string' && /^[A-Za-z]{0,40}Error$/.test(e.name)) return e.name
  return 'error'
}
