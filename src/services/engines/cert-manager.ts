import type { CertState } from '../../core/certs/types.js'
import type { Change, DomainAspect } from '../../core/changes.js'
import {
  attemptIssue,
  certificateStored,
  issuedState,
  type AttemptOutcome,
  type CertDeps,
} from '../certs/cert-attempt.js'

export interface CertManagerOptions {
  /** Orders in flight at once (ACME_CONCURRENCY). */
  concurrency: number
  /** Names managed besides customer hostnames (the service host). */
  extraHosts: string[]
  /** Identifies this process in issuance leases. */
  owner: string
}

/** Why a hostname was passed over: `until` is when it is next due (not_due, backoff). */
export interface Skip {
  hostname: string
  reason: 'in_flight' | 'leased' | 'not_due' | 'backoff'
  until?: Date
  /** The last attempt's error (backoff). */
  lastError?: string | null
}

export type RunSummary = Record<AttemptOutcome | 'skipped' | 'removed', number>

/** Told of each hostname passed over, with why (the CLI's `renew` prints it). */
export type OnSkip = (skip: Skip) => void

/** Hostnames looked at per tick; the rest wait for the next tick (bounded work per tick). */
const BATCH = 1_000

/**
 * Domain changes that leave the certificates alone: a claim serves nothing yet, and the policy,
 * TLS-RPT and DNS mode change what is served on hostnames that stay the same. A policy write
 * used to cost every instance a tick (one store read each) for nothing.
 */
const IDLE_ASPECTS: ReadonlySet<DomainAspect> = new Set(['claim', 'policy', 'tls-rpt', 'dns'])

/**
 * Keeps a certificate for every hostname: first issuance, renewal inside the renewal window,
 * retries along the backoff ladder, removal of key material for hostnames that are gone.
 * One issuance per hostname at a time — in this process (in-flight set) and across processes
 * (a lease in SQLite, checked again after taking it, as certmagic does with its storage lock).
 */
export class CertManager {
  private readonly inFlight = new Set<string>()
  private kicked: Promise<void> | null = null
  private kickAgain = false
  /** A kick asked for the orphan sweep (hostnames disappeared); the next tick does it. */
  private sweepWanted = false
  private stopped = false
  /** A tick after another process's lease on some hostname has run out (it may have died). */
  private leaseRetry: NodeJS.Timeout | null = null

  constructor(
    private readonly d: CertDeps,
    private readonly opts: CertManagerOptions,
  ) {}

  /** Start-up: queue hostnames without state, and re-issue other issuers' certificates. */
  async prepare(): Promise<void> {
    const now = this.d.clock.now()
    const added = await this.d.repos.certs.reconcile(now, this.opts.extraHosts)
    const switched = await this.d.repos.certs.dueOnIssuerChange(this.d.issuer.name, now)
    if (added || switched) this.d.log.info('certs_queued', { added, issuerChanged: switched })
  }

  /**
   * Start-up: compares each hostname's current bundle with the serial the store of record
   * expects — on disk one readlink each (100k take seconds), in PostgreSQL one read for all.
   * Where they differ, the bundle is read: a complete newer one (written just before a crash) is
   * adopted; a damaged or missing one is dropped from TLS and queued for re-issue. Files damaged
   * behind an intact link (writes are atomic, so only the disk or a person does that) are caught
   * by the digest check when first loaded for TLS.
   */
  async verifyStore(): Promise<number> {
    let bad = 0
    const issued = await this.d.repos.certs.issued()
    const all = await this.d.store.currentSerials?.()
    const currentOf = async (hostname: string) =>
      all ? (all.get(hostname) ?? null) : this.d.store.currentSerial(hostname)
    for (const { hostname, serial } of issued) {
      if ((await currentOf(hostname)) === serial) continue
      const read = await this.d.store.read(hostname, 'digests')
      if (read.status === 'ok' && read.bundle.serial === serial) continue
      const state = await this.d.repos.certs.get(hostname)
      if (!state) continue
      const now = this.d.clock.now()
      if (read.status === 'ok') {
        await this.d.repos.certs.save(
          issuedState(state, read.bundle, state.issuerName ?? this.d.issuer.name, now),
        )
        await certificateStored(this.d, hostname, read.bundle)
        continue
      }
      bad++
      const reason = read.status === 'corrupt' ? read.reason : 'missing on disk'
      this.d.log.warn('cert_store_damaged', { hostname, reason })
      await certificateStored(this.d, hostname, null)
      await this.d.repos.certs.save(
        this.reissueNow(state, `stored certificate unusable: ${reason}`, now),
      )
    }
    return bad
  }

  /**
   * One scheduler tick: clean up, then work through what is due. The orphan sweep reads every
   * certificate row (20 ms at 100k), so kicks after a write skip it unless hostnames went away.
   */
  async runDue(sweepOrphans = true, onSkip?: OnSkip): Promise<RunSummary> {
    const removed = sweepOrphans ? await this.cleanupOrphans() : 0
    const due = await this.d.repos.certs.due(this.d.clock.now(), BATCH, this.opts.extraHosts)
    const summary = await this.runMany(due, false, onSkip)
    summary.removed = removed
    return summary
  }

  /** Issues now for the given hostnames; `force` ignores the renewal window and backoff. */
  renew(hostnames: string[], force: boolean, onSkip?: OnSkip): Promise<RunSummary> {
    return this.runMany(hostnames, force, onSkip)
  }

  /** The TLS layer found the stored bundle unusable: re-issue it now. */
  async markDamaged(hostname: string, reason: string): Promise<void> {
    const state = await this.d.repos.certs.get(hostname)
    if (!state) return
    const now = this.d.clock.now()
    await this.d.repos.certs.save(
      this.reissueNow(state, `stored certificate unusable: ${reason}`, now),
    )
    await certificateStored(this.d, hostname, null)
    this.kick()
  }

  /**
   * Change feed subscriber (core/changes.ts): a change that may add hostnames or make some due
   * runs a tick soon; one that may take hostnames away (or a reconcile after other processes'
   * writes) also sweeps orphans; a damaged certificate is re-issued. Kicks coalesce, so
   * repeated events cost one tick.
   */
  apply(change: Change): Promise<void> | void {
    switch (change.type) {
      case 'domain.changed':
        // Neither adds hostnames nor makes a certificate due: a tick would only re-read the list.
        if (IDLE_ASPECTS.has(change.what)) return
        return this.kick({ sweepOrphans: change.what === 'hostnames' })
      case 'domain.removed':
        if (change.hostnames.length > 0) this.kick({ sweepOrphans: true })
        return
      case 'reconcile':
        return this.kick({ sweepOrphans: true })
      case 'certificate.damaged':
        return this.markDamaged(change.hostname, change.reason)
    }
  }

  /**
   * Runs a tick soon (after an added domain), without waiting for the schedule. A kick during
   * a running tick queues exactly one more, since the running one has already read its list.
   * `sweepOrphans` when hostnames may have gone (a domain removed, another process wrote).
   */
  kick(opts: { sweepOrphans?: boolean } = {}): void {
    if (this.stopped) return
    if (opts.sweepOrphans) this.sweepWanted = true
    if (this.kicked) {
      this.kickAgain = true
      return
    }
    this.kicked = (async () => {
      do {
        this.kickAgain = false
        const sweep = this.sweepWanted
        this.sweepWanted = false
        await this.runDue(sweep).catch((err: Error) =>
          this.d.log.error('cert_tick_failed', { error: err.message }),
        )
      } while (this.kickAgain && !this.stopped)
    })().finally(() => {
      this.kicked = null
    })
  }

  /** Resolves when kicked ticks (if any) have finished; for tests. */
  async idle(): Promise<void> {
    while (this.kicked) await this.kicked
  }

  /** For shutdown: no new ticks start; waits for `pending` work and running ticks. */
  async stop(pending: Promise<unknown>[] = []): Promise<void> {
    this.stopped = true
    if (this.leaseRetry) clearTimeout(this.leaseRetry)
    await Promise.allSettled(pending)
    await this.idle()
  }

  private async runMany(hostnames: string[], force: boolean, onSkip?: OnSkip): Promise<RunSummary> {
    const summary = emptySummary()
    const queue = [...new Set(hostnames)]
    const worker = async () => {
      for (let h = queue.shift(); h !== undefined; h = queue.shift()) {
        const r = await this.runOne(h, force)
        if (typeof r === 'string') summary[r]++
        else {
          summary.skipped++
          onSkip?.(r)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, worker))
    return summary
  }

  private async runOne(hostname: string, force: boolean): Promise<AttemptOutcome | Skip> {
    if (this.inFlight.has(hostname)) return { hostname, reason: 'in_flight' }
    this.inFlight.add(hostname)
    const certs = this.d.repos.certs
    const now = this.d.clock.now()
    try {
      // An order is aborted at orderTimeoutMs, so the lease outlives it; the margin covers
      // clock skew between instances and the writes after the order.
      const leaseMs = this.d.orderTimeoutMs + Math.min(60_000, this.d.orderTimeoutMs)
      if (
        !(await certs.acquire(hostname, this.opts.owner, now, new Date(now.getTime() + leaseMs)))
      ) {
        // Another process orders it. Should that process die mid-order, nothing would look at
        // the name again before the next scheduled tick: look once its lease has run out.
        this.retryAfterLease(leaseMs + 1000)
        return { hostname, reason: 'leased' }
      }
      try {
        // Check again after taking the lease: another process may have just renewed it.
        const state = await certs.get(hostname)
        if (!force && state && state.dueAt.getTime() > now.getTime()) {
          if (state.failures === 0) return { hostname, reason: 'not_due', until: state.dueAt }
          return { hostname, reason: 'backoff', until: state.dueAt, lastError: state.lastError }
        }
        return await attemptIssue(this.d, hostname)
      } finally {
        await certs.release(hostname, this.opts.owner)
      }
    } catch (err) {
      this.d.log.error('cert_attempt_crashed', { hostname, error: (err as Error).message })
      return 'failed'
    } finally {
      this.inFlight.delete(hostname)
    }
  }

  private retryAfterLease(ms: number): void {
    if (this.leaseRetry || this.stopped) return
    this.leaseRetry = setTimeout(() => {
      this.leaseRetry = null
      this.kick()
    }, ms)
    this.leaseRetry.unref()
  }

  /** Deletes certificates and keys of hostnames that no longer exist (domain removed). */
  private async cleanupOrphans(): Promise<number> {
    const gone = await this.d.repos.certs.orphans(BATCH, this.opts.extraHosts)
    for (const hostname of gone) {
      await this.d.store.remove(hostname)
      await this.d.repos.certs.remove(hostname)
      await certificateStored(this.d, hostname, null)
      this.d.log.info('cert_removed', { hostname })
    }
    return gone.length
  }

  private reissueNow(state: CertState, error: string, now: Date): CertState {
    return {
      ...state,
      serial: null,
      status: 'failed',
      lastError: error,
      dueAt: now,
      updatedAt: now,
    }
  }
}

function emptySummary(): RunSummary {
  return { obtained: 0, renewed: 0, failed: 0, dns_pending: 0, skipped: 0, removed: 0 }
}
